"""``examples.crm_actions`` loaded through ``RELAY_ACTION_MODULES``, run end to end against a
real local HTTP server standing in for the CRM."""

import json
import uuid
from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx
import pytest
from sqlalchemy import Engine
from sqlmodel import Session
from temporalio.testing import WorkflowEnvironment

from interpreter.contract import Progress
from relay.core.settings import Settings
from relay.services.accounts import create_account
from relay.storage.secrets import SecretBox
from relay.storage.tables import Secret
from tests.support.api_calls import finished, publish
from tests.support.flows import flow_runner
from tests.support.servers import HttpServer, ReceivedRequest, Reply
from tests.support.stack import relay_stack

TOKEN = f"crm-token-{uuid.uuid4().hex[:8]}"
LEAD_CREATED = "crm/lead.created"


def _contact_flow(**data: Any) -> dict[str, Any]:
    return {
        "name": "New lead to CRM",
        "trigger": {"event": LEAD_CREATED},
        "actions": [
            {"id": "contact", "type": "crm_create_contact", "data": {
                "email": "leadEmail", "first_name": "{{ event.data.firstName }}",
                "properties": {"source": "relay"}, **data}},
            {"id": "note", "type": "log", "data": {"message": "contact {{ steps.contact.output.id }}"}},
        ],
    }  # fmt: skip


@pytest.fixture
def crm() -> Iterator[HttpServer]:
    """The CRM: creates contacts, answering 201 with an id."""
    server = HttpServer(lambda req: Reply(201, {"id": "c_1001", "email": req.json()["email"]})).start()
    yield server
    server.stop()


@pytest.fixture
def crm_settings(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> Settings:
    """Settings read as a deployment reads them, with the module named in the environment."""
    monkeypatch.setenv("RELAY_ACTION_MODULES", "examples.crm_actions")
    fresh = Settings(**settings.model_dump(exclude={"action_modules"}))
    assert fresh.action_modules == ["examples.crm_actions"]
    return fresh


@pytest.fixture
async def crm_api(
    crm_settings: Settings, engine: Engine, dev_env: WorkflowEnvironment
) -> AsyncIterator[httpx.AsyncClient]:
    """The real API app and a real worker, both loading the product module from settings."""
    async with relay_stack(dev_env.client, settings=crm_settings, engine=engine, accounts=("Acme CRM",)) as (
        api,
    ):
        yield api


async def test_create_contact_end_to_end_through_the_api(crm_api: httpx.AsyncClient, crm: HttpServer) -> None:
    catalog = {a["name"]: a for a in (await crm_api.get("/v1/actions")).json()["items"]}
    assert "crm_create_contact" in catalog
    assert "email" in catalog["crm_create_contact"]["input_schema"]["properties"]
    for name, value in (("CRM_TOKEN", TOKEN), ("CRM_URL", crm.url)):
        stored = await crm_api.put(f"/v1/secrets/{name}", json={"value": value})
        assert stored.status_code == 200, stored.text
    workflow_id = await publish(crm_api, _contact_flow())

    event = await crm_api.post("/v1/events", json={
        "name": LEAD_CREATED, "data": {"leadEmail": "ada@example.com", "firstName": "Ada"}})  # fmt: skip

    assert event.status_code == 202, event.text
    [run_id] = event.json()["runs"]
    run = await finished(crm_api, run_id)
    assert run["status"] == "completed", run
    steps = {s["id"]: s for s in run["steps"]}
    assert steps["contact"]["output"] == {"id": "c_1001", "email": "ada@example.com"}
    assert steps["contact"]["attempts"] == 1
    assert steps["note"]["output"] == {"message": "contact c_1001"}

    [request] = crm.requests
    assert (request.method, request.path) == ("POST", "/contacts")
    assert request.headers["authorization"] == f"Bearer {TOKEN}"
    assert request.headers["idempotency-key"] == f"{run_id}:contact"
    assert request.json() == {
        "email": "ada@example.com", "first_name": "Ada", "properties": {"source": "relay"}}  # fmt: skip
    assert TOKEN not in json.dumps(run)
    assert workflow_id == run["workflow_id"]


async def test_a_definition_with_bad_data_is_refused_at_save_time(crm_api: httpx.AsyncClient) -> None:
    bad = _contact_flow(email="not-an-address@", phone="+33 1 23")

    answer = await crm_api.post("/v1/workflows", json=bad)

    assert answer.status_code == 422
    text = json.dumps(answer.json())
    assert "phone" in text and "unknown field" in text
    assert "must be an email address" in text


# Errors: run on the time-skipping server so retry back-off costs no real time.


@pytest.fixture
async def run_contact(
    ts_env: WorkflowEnvironment, crm_settings: Settings, engine: Engine, crm: HttpServer
) -> AsyncIterator[Any]:
    account, _key = create_account(engine, name="Acme errors")
    box = SecretBox(crm_settings.secrets_keys)
    with Session(engine) as session:
        session.add(Secret(account_id=account.id, name="CRM_TOKEN", ciphertext=box.encrypt(TOKEN)))
        session.commit()

    async with flow_runner(ts_env, crm_settings, engine, account_id=account.id) as run_flow:

        async def run(**data: Any) -> Progress:
            done = await run_flow(
                _contact_flow(base_url=crm.url, **data), data={"leadEmail": "bo@example.com"}
            )
            return done.progress

        yield run


async def test_a_4xx_answer_fails_the_step_at_once(run_contact: Any, crm: HttpServer) -> None:
    crm.responder = lambda _req: Reply(409, {"error": "contact exists"})

    progress = await run_contact()

    contact = next(s for s in progress.steps if s.id == "contact")
    assert progress.status == "failed"
    assert (contact.status, contact.attempts) == ("failed", 1)
    assert "HTTP409" in contact.error and "contact exists" in contact.error
    assert TOKEN not in contact.error


async def test_a_5xx_answer_is_retried(run_contact: Any, crm: HttpServer) -> None:
    def flaky(req: ReceivedRequest) -> Reply:
        if len(crm.requests) == 1:
            return Reply(503, {"error": "busy"}, headers={"Retry-After": "30"})
        return Reply(201, {"id": "c_2002"})

    crm.responder = flaky

    progress = await run_contact()

    contact = next(s for s in progress.steps if s.id == "contact")
    assert progress.status == "completed"
    assert (contact.attempts, contact.output) == (2, {"id": "c_2002", "email": "bo@example.com"})
    # Both attempts carry the same idempotency key, so the CRM can tell a retry from a new contact.
    assert len({r.headers["idempotency-key"] for r in crm.requests}) == 1


async def test_a_missing_token_names_the_secret(run_contact: Any, crm: HttpServer) -> None:
    progress = await run_contact(token="{{ secrets.OTHER_CRM_TOKEN }}")

    contact = next(s for s in progress.steps if s.id == "contact")
    assert contact.attempts == 1
    assert "secret 'OTHER_CRM_TOKEN' is not set" in contact.error
    assert crm.requests == []
