"""The SPEC §2 Approval document, verbatim, through the API on the time-skipping server:
real SMTP, a real HTTP stand-in for Slack, the 2-day sleep on a Temporal timer."""

from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import Engine
from temporalio.testing import WorkflowEnvironment

from relay.core.settings import Settings
from tests.support.api_calls import publish, run_to_end
from tests.support.documents import APPROVAL
from tests.support.servers import HttpServer, SmtpServer
from tests.support.stack import relay_stack

LEAD = {"status": "proposal_created", "leadName": "Ada", "leadEmail": "ada@lead.test",
        "salespersonEmail": "sam@acme.test"}  # fmt: skip


@pytest.fixture
async def relay(
    ts_env: WorkflowEnvironment, settings: Settings, engine: Engine, http_server: HttpServer
) -> AsyncIterator[httpx.AsyncClient]:
    """The API and a worker on the time-skipping server, Slack pointed at the local stand-in."""
    settings = settings.model_copy(update={"slack_api_url": http_server.url})
    async with relay_stack(ts_env.client, settings=settings, engine=engine) as (api,):
        await setup_account(api)
        yield api


async def setup_account(api: httpx.AsyncClient) -> None:
    for path, body in [
        ("/v1/secrets/SLACK_TOKEN", {"value": "xoxb-test-token"}),
        ("/v1/email-templates/proposal",
         {"subject": "Your proposal, {{ leadName }}", "text": "Hi {{ leadName }}, here it is."}),
        ("/v1/email-templates/proposal_follow_up",
         {"subject": "Follow up with {{ leadName }}", "text": "Two days passed; call {{ leadEmail }}."}),
    ]:  # fmt: skip
        answer = await api.put(path, json=body)
        assert answer.status_code in (200, 201), answer.text
    await publish(api, APPROVAL)


async def test_proposal_created_sends_two_emails_and_a_slack_message_two_days_apart(
    relay: httpx.AsyncClient, ts_env: WorkflowEnvironment, engine: Engine, smtp: SmtpServer, http_server: HttpServer
) -> None:
    posted = await relay.post(
        "/v1/events", json={"name": "crm/lead_status.changed", "data": LEAD, "id": "lead-1"}
    )
    assert posted.status_code == 202, posted.text
    [run_id] = posted.json()["runs"]
    again = await relay.post(
        "/v1/events", json={"name": "crm/lead_status.changed", "data": LEAD, "id": "lead-1"}
    )
    assert again.json() == posted.json(), "the same event id must give the same answer"

    run = await run_to_end(relay, ts_env, engine, run_id)
    assert run["status"] == "completed", run
    assert (await relay.get("/v1/runs", params={"event_id": posted.json()["event_id"]})).json()[
        "items"
    ].__len__() == 1

    first, second = smtp.messages
    assert first.recipients == ["ada@lead.test"] and first.message["Subject"] == "Your proposal, Ada"
    assert "Hi Ada, here it is." in first.message.get_payload()
    assert second.recipients == ["sam@acme.test"] and second.message["Subject"] == "Follow up with Ada"
    assert "call ada@lead.test" in second.message.get_payload()

    [post] = http_server.requests
    assert post.path == "/chat.postMessage" and post.json()["channel"] == "C12345"
    assert post.headers["authorization"] == "Bearer xoxb-test-token"

    steps = {s["id"]: s for s in run["steps"]}
    assert [s["status"] for s in run["steps"]] == ["completed"] * 5
    slept = _when(steps["sleep_4"]["ended_at"]) - _when(steps["sleep_4"]["started_at"])
    assert slept >= timedelta(days=2)
    assert _when(steps["email_5"]["started_at"]) - _when(steps["email_2"]["ended_at"]) >= timedelta(days=2)


async def test_other_status_ends_filtered_and_sends_nothing(
    relay: httpx.AsyncClient, ts_env: WorkflowEnvironment, engine: Engine, smtp: SmtpServer, http_server: HttpServer
) -> None:
    posted = await relay.post("/v1/events", json={"name": "crm/lead_status.changed",
                                                   "data": {**LEAD, "status": "won"}})  # fmt: skip
    [run_id] = posted.json()["runs"]
    run = await run_to_end(relay, ts_env, engine, run_id)
    assert run["status"] == "filtered"
    assert smtp.messages == [] and http_server.requests == []


def _when(stamp: str) -> Any:
    from datetime import datetime

    return datetime.fromisoformat(stamp.replace("Z", "+00:00"))
