"""Run webhooks end to end: a real worker, the API in-process, a real local HTTP receiver;
SQLite and PostgreSQL. The receiver verifies each signature from the raw body it got."""

import asyncio
import contextlib
import hashlib
import hmac
import time
import uuid
from typing import Any

import httpx
import pytest
from sqlalchemy import Engine
from sqlmodel import Session, select
from temporalio.client import WorkflowExecutionStatus, WorkflowFailureError
from temporalio.service import RPCError, RPCStatusCode
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Worker

from relay.core.settings import Settings
from relay.services.webhooks import notify_run_ended
from relay.storage.secrets import SecretBox
from relay.storage.tables import Run, Webhook
from tests.support.api_calls import finished, publish
from tests.support.servers import HttpServer, ReceivedRequest, Reply

SECRET = "whsec-test-0123456789abcdef"

ENDINGS = {
    "name": "Endings",
    "actions": [
        {
            "id": "maybe_fail",
            "type": "branch",
            "data": {
                "if": "input.fail = true",
                "then": [{"type": "fail", "data": {"message": "asked to fail"}}],
                "else": [],
            },
        },
        {"id": "say", "type": "log", "data": {"message": "done"}},
    ],
}


@pytest.fixture
def settings(settings: Settings) -> Settings:
    # The receiver listens on loopback, which the SSRF guard refuses unless the operator allows it.
    return settings.model_copy(update={"http_allow": ["127.0.0.1"]})


def verify(request: ReceivedRequest, secret: str) -> dict[str, Any]:
    """What a receiver does: check ``Relay-Signature`` against the raw body, then parse it."""
    parts = dict(item.split("=", 1) for item in request.headers["relay-signature"].split(","))
    expected = hmac.new(secret.encode(), f"{parts['t']}.".encode() + request.body, hashlib.sha256).hexdigest()
    assert hmac.compare_digest(parts["v1"], expected), "signature does not match the raw body"
    assert abs(int(parts["t"]) - time.time()) < 600
    return request.json()


async def received(server: HttpServer, count: int, *, seconds: float = 60) -> list[ReceivedRequest]:
    async with asyncio.timeout(seconds):
        while True:
            if len(server.requests) >= count:
                return list(server.requests)
            await asyncio.sleep(0.1)


async def start(api: httpx.AsyncClient, workflow_id: str, **input: Any) -> str:
    answer = await api.post(f"/v1/workflows/{workflow_id}/runs", json={"input": input})
    assert answer.status_code == 202, answer.text
    run_id: str = answer.json()["run_id"]
    return run_id


async def test_a_failed_run_is_posted_signed_and_retried_after_a_500(
    api: httpx.AsyncClient, worker: Worker, http_server: HttpServer
) -> None:
    answers = iter([Reply(500, {"error": "down for a moment"})])
    http_server.responder = lambda _req: next(answers, Reply(200, {"ok": True}))
    put = await api.put(
        "/v1/webhooks/ops",
        json={"url": f"{http_server.url}/hooks", "events": ["run.failed"], "secret": SECRET},
    )
    assert put.status_code == 200, put.text
    workflow_id = await publish(api, ENDINGS)

    run_id = await start(api, workflow_id, fail=True)
    run = await finished(api, run_id)
    assert run["status"] == "failed"

    first, second = await received(http_server, 2)
    assert (first.method, first.path) == ("POST", "/hooks")
    assert first.headers["relay-delivery"] == second.headers["relay-delivery"] == f"webhook:{run_id}:ops"
    body = verify(second, SECRET)
    assert body["type"] == "run.failed"
    assert body["run"]["run_id"] == run_id and "asked to fail" in body["run"]["error"]
    # The run as GET /v1/runs/{id} shows it: the same fields, the same values.
    assert set(body["run"]) == set(run)
    assert {k: body["run"][k] for k in run if k != "steps"} == {k: v for k, v in run.items() if k != "steps"}
    steps = [(s["id"], s["status"], s.get("error")) for s in body["run"]["steps"]]
    assert steps == [(s["id"], s["status"], s["error"]) for s in run["steps"]]
    await asyncio.sleep(1)
    assert len(http_server.requests) == 2, "delivered once it answered 200: nothing more"


async def test_only_matching_webhooks_are_sent_and_only_once(
    api: httpx.AsyncClient,
    worker: Worker,
    dev_env: WorkflowEnvironment,
    http_server: HttpServer,
    db: Engine,
    settings: Settings,
) -> None:
    for name, events in (("on-failure", ["run.failed"]), ("on-success", ["run.completed", "run.cancelled"])):
        hook = {"url": f"{http_server.url}/{name}", "events": events, "secret": SECRET}
        assert (await api.put(f"/v1/webhooks/{name}", json=hook)).status_code == 200
    workflow_id = await publish(api, ENDINGS)

    run_id = await start(api, workflow_id, fail=False)

    run = await finished(api, run_id)
    assert run["status"] == "completed"
    [request] = await received(http_server, 1)
    assert request.path == "/on-success" and verify(request, SECRET)["type"] == "run.completed"
    # The delivery for the matching webhook has ended; none was ever started for the other.
    delivered = dev_env.client.get_workflow_handle(f"webhook:{run_id}:on-success")
    async with asyncio.timeout(30):
        while True:
            if (await delivered.describe()).status == WorkflowExecutionStatus.COMPLETED:
                break
            await asyncio.sleep(0.2)
    with pytest.raises(RPCError) as missing:
        await dev_env.client.get_workflow_handle(f"webhook:{run_id}:on-failure").describe()
    assert missing.value.status == RPCStatusCode.NOT_FOUND

    # A recording retried after the delivery ended (a worker lost the activity's answer)
    # starts nothing again: the delivery's id cannot be reused.
    first_execution = (await delivered.describe()).run_id
    again = await notify_run_ended(
        dev_env.client, db, temporal_workflow_id=run["temporal_workflow_id"], task_queue=settings.task_queue
    )
    assert again == [f"webhook:{run_id}:on-success"]
    assert (await delivered.describe()).run_id == first_execution
    await asyncio.sleep(1)
    assert len(http_server.requests) == 1


async def test_an_endpoint_that_keeps_failing_does_not_hold_up_the_run(
    api: httpx.AsyncClient, worker: Worker, http_server: HttpServer
) -> None:
    http_server.responder = lambda _req: Reply(503, {"error": "down"})
    hook = {"url": http_server.url, "events": ["run.completed"], "secret": SECRET}
    assert (await api.put("/v1/webhooks/broken", json=hook)).status_code == 200
    workflow_id = await publish(api, ENDINGS)

    run = await finished(api, await start(api, workflow_id))

    assert run["status"] == "completed" and run["error"] is None
    await received(http_server, 1)  # tried, failed, and the run had already ended


async def test_the_secret_is_encrypted_and_never_answered(
    api: httpx.AsyncClient, db: Engine, settings: Settings
) -> None:
    hook = {"url": "https://hooks.example.com/relay", "events": ["run.failed"], "secret": SECRET}
    answers = [
        await api.put("/v1/webhooks/ops", json=hook),
        await api.get("/v1/webhooks"),
        await api.get("/v1/webhooks/ops"),
        await api.put(
            "/v1/webhooks/ops", json={**hook, "secret": SECRET + "-2", "events": ["run.timed_out"]}
        ),
    ]

    assert all(a.status_code == 200 for a in answers), [a.text for a in answers]
    assert all(SECRET not in a.text and "secret" not in a.json() for a in answers)
    assert set(answers[0].json()) == {"name", "url", "events", "created_at", "updated_at"}
    assert [w["name"] for w in answers[1].json()["items"]] == ["ops"]
    assert answers[3].json()["events"] == ["run.timed_out"]
    with Session(db) as session:
        [row] = session.exec(select(Webhook)).all()
    assert SECRET not in row.secret_ciphertext
    assert SecretBox(settings.secrets_keys).decrypt(row.secret_ciphertext) == SECRET + "-2"


async def test_bad_webhooks_name_the_field(api: httpx.AsyncClient) -> None:
    good = {"url": "https://hooks.example.com/relay", "events": ["run.failed"], "secret": SECRET}
    cases = {
        "events": {**good, "events": ["run.exploded"]},
        "url": {**good, "url": "ftp://hooks.example.com"},
        "secret": {**good, "secret": "short"},
    }
    for field, body in cases.items():
        answer = await api.put("/v1/webhooks/ops", json=body)
        assert answer.status_code == 422, answer.text
        assert answer.json()["detail"][0]["loc"][:2] == ["body", field], answer.text
    assert "run.completed" in (await api.put("/v1/webhooks/ops", json=cases["events"])).text
    empty = await api.put("/v1/webhooks/ops", json={**good, "events": []})
    assert empty.status_code == 422 and empty.json()["detail"][0]["loc"][:2] == ["body", "events"]

    internal = await api.put("/v1/webhooks/ops", json={**good, "url": "http://169.254.169.254/latest"})
    assert internal.status_code == 422 and internal.json()["field"] == "url", internal.text
    assert (await api.put("/v1/webhooks/bad%20name", json=good)).status_code == 422
    assert (await api.get("/v1/webhooks")).json()["items"] == []


async def test_webhooks_belong_to_their_account(api: httpx.AsyncClient, other_api: httpx.AsyncClient) -> None:
    hook = {"url": "https://hooks.example.com/relay", "events": ["run.failed"], "secret": SECRET}
    await api.put("/v1/webhooks/ops", json=hook)

    assert (await other_api.get("/v1/webhooks/ops")).status_code == 404
    assert (await other_api.delete("/v1/webhooks/ops")).status_code == 404
    assert (await other_api.get("/v1/webhooks")).json()["items"] == []
    assert (await api.delete("/v1/webhooks/ops")).status_code == 204
    assert (await api.get("/v1/webhooks/ops")).status_code == 404


SLEEPER = {"name": "Sleeper", "actions": [{"id": "nap", "type": "sleep", "data": {"duration": "1h"}}]}


async def test_a_cancelled_run_is_posted(
    api: httpx.AsyncClient, worker: Worker, http_server: HttpServer
) -> None:
    hook = {"url": http_server.url, "events": ["run.cancelled"], "secret": SECRET}
    assert (await api.put("/v1/webhooks/ops", json=hook)).status_code == 200
    run_id = await start(api, await publish(api, SLEEPER))
    async with asyncio.timeout(30):
        while True:
            if (await api.get(f"/v1/runs/{run_id}")).json()["status"] == "running":
                break
            await asyncio.sleep(0.2)

    assert (await api.post(f"/v1/runs/{run_id}/cancel")).status_code == 202

    [request] = await received(http_server, 1)
    body = verify(request, SECRET)
    assert (body["type"], body["run"]["run_id"], body["run"]["status"]) == (
        "run.cancelled",
        run_id,
        "cancelled",
    )


async def test_each_delivery_goes_through_the_address_guard(
    api: httpx.AsyncClient, worker: Worker, dev_env: WorkflowEnvironment, db: Engine, settings: Settings
) -> None:
    # Saved while allowed (or before the operator narrowed RELAY_HTTP_ALLOW): a loopback
    # address the rule does not list. The delivery refuses it at connect time, for good.
    me = (await api.get("/v1/account")).json()["id"]
    with Session(db) as session:
        session.add(
            Webhook(
                account_id=me,
                name="inside",
                url="http://127.0.0.2:9/hook",
                events=["run.completed"],
                secret_ciphertext=SecretBox(settings.secrets_keys).encrypt(SECRET),
            )
        )
        session.commit()

    run_id = await start(api, await publish(api, ENDINGS))

    assert (await finished(api, run_id))["status"] == "completed"
    delivery = dev_env.client.get_workflow_handle(f"webhook:{run_id}:inside")
    async with asyncio.timeout(30):
        while True:
            with contextlib.suppress(RPCError):
                if (await delivery.describe()).status == WorkflowExecutionStatus.FAILED:
                    break
            await asyncio.sleep(0.2)
    with pytest.raises(WorkflowFailureError) as failed:
        await delivery.result()
    assert "loopback" in str(failed.value.cause.cause) and "RELAY_HTTP_ALLOW" in str(failed.value.cause.cause)


async def test_a_run_cancelled_before_it_started_is_posted(
    api: httpx.AsyncClient, worker: Worker, http_server: HttpServer, db: Engine
) -> None:
    # A run recorded but never started in Temporal: the API's cancel writes its end itself.
    hook = {"url": http_server.url, "events": ["run.cancelled"], "secret": SECRET}
    assert (await api.put("/v1/webhooks/ops", json=hook)).status_code == 200
    workflow_id = await publish(api, SLEEPER)
    me = (await api.get("/v1/account")).json()["id"]
    # Run ids are unique in the Temporal namespace the tests share, like the delivery ids made of them.
    run_id = f"never-{uuid.uuid4()}"
    with Session(db) as session:
        session.add(
            Run(
                id=run_id,
                account_id=me,
                workflow_id=workflow_id,
                version=1,
                temporal_workflow_id=f"relay-{run_id}",
            )
        )
        session.commit()

    cancelled = await api.post(f"/v1/runs/{run_id}/cancel")

    assert cancelled.status_code == 202 and cancelled.json()["status"] == "cancelled", cancelled.text
    [request] = await received(http_server, 1)
    body = verify(request, SECRET)
    assert (body["type"], body["run"]["run_id"]) == ("run.cancelled", run_id)
    assert body["run"]["error"] == "cancelled before it started"
