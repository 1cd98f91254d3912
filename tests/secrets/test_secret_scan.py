"""Secrets never leave the activity: scan whole histories, API answers and logs for their values."""

import logging
from typing import Any

import httpx
import pytest
from temporalio.testing import WorkflowEnvironment

from tests.support.api_calls import finished, post_event, publish
from tests.support.servers import HttpServer, ReceivedRequest, Reply

TOKEN = "sk-live-7f3a9c1e-never-show-me"
SLACK = "xoxb-also-very-secret-42"


def echo_headers(request: ReceivedRequest) -> Reply:
    """A careless service that echoes what it got, including credentials, even in errors."""
    status = 404 if request.path.startswith("/missing") else 200
    return Reply(status, {"ok": True, "seen_auth": request.headers.get("authorization"), "ts": "1.2"})


@pytest.fixture
def careless() -> Any:
    server = HttpServer(echo_headers).start()
    yield server
    server.stop()


async def test_no_secret_value_anywhere(
    relay_dev: tuple[httpx.AsyncClient, httpx.AsyncClient],
    dev_env: WorkflowEnvironment,
    careless: HttpServer,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    acme, _ = relay_dev
    for name, value in (("CRM_TOKEN", TOKEN), ("SLACK_TOKEN", SLACK)):
        assert (await acme.put(f"/v1/secrets/{name}", json={"value": value})).status_code in (200, 201)
    auth = {"Authorization": "Bearer {{ secrets.CRM_TOKEN }}"}
    await publish(acme, {
        "name": "Uses secrets", "trigger": {"event": "s/go"},
        "actions": [
            {"id": "call", "type": "http_request", "data": {"method": "GET", "url": careless.url + "/ok", "headers": auth}},
            {"id": "broken", "type": "http_request", "on_error": "continue",
             "data": {"method": "GET", "url": careless.url + "/missing", "headers": auth}},
            {"id": "log", "type": "log", "data": {"message": "called with {{ secrets.CRM_TOKEN }}"}},
            {"type": "return", "data": {"output": "{{ steps.call.output }}"}},
        ]})  # fmt: skip
    [run_id] = (await post_event(acme, "s/go", {"who": "ada"}))["runs"]
    run = await finished(acme, run_id, seconds=120)
    assert run["status"] == "completed", run
    assert careless.requests[0].headers["authorization"] == f"Bearer {TOKEN}", (
        "the secret must reach the service"
    )

    history = await dev_env.client.get_workflow_handle(run["temporal_workflow_id"]).fetch_history()
    answers = [
        (await acme.get(f"/v1/runs/{run_id}")).text,
        (await acme.get("/v1/runs")).text,
        (await acme.get("/v1/secrets")).text,
        (await acme.get("/v1/secrets/CRM_TOKEN")).text,
    ]
    for value in (TOKEN, SLACK):
        assert value.encode() not in history.to_json().encode(), "a secret is in the workflow history"
        for answer in answers:
            assert value not in answer, "a secret is in an API answer"
        assert value not in caplog.text, "a secret is in the logs"
    steps = {s["id"]: s for s in run["steps"]}
    assert steps["call"]["output"]["body"]["seen_auth"] == "Bearer [redacted]"
    assert "404" in steps["broken"]["error"]
