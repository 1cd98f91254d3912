"""A test run touches nothing outside: no mail reaches the SMTP server, no request the HTTP
sink (Slack's API and ``http_request`` both point at it), no run or event is recorded. The
same definition run for real, on the same worker, reaches both sinks: they are listening."""

from typing import Any

import httpx
from temporalio.worker import Worker

from tests.support.api_calls import finished
from tests.support.servers import HttpServer, SmtpServer


def definition(sink: str) -> dict[str, Any]:
    return {
        "name": "Everything",
        "trigger": {"event": "order/paid"},
        "actions": [
            {"id": "mail", "type": "email",
             "data": {"to": "ada@example.test", "subject": "paid", "text": "order {{ event.data.order }}"}},
            {"id": "chat", "type": "slack", "data": {"channel": "C1", "text": "paid"}},
            {"id": "call", "type": "http_request", "data": {"method": "POST", "url": f"{sink}/hook", "json": {}}},
            {"id": "tell", "type": "emit_event", "data": {"name": "order/announced"}},
            {"id": "nap", "type": "sleep", "data": {"duration": "2 days"}, "if": "input.nap = true"},
        ],
    }  # fmt: skip


async def test_test_runs_reach_no_server_and_record_nothing(
    api: httpx.AsyncClient, worker: Worker, smtp: SmtpServer, http_server: HttpServer
) -> None:
    assert (await api.put("/v1/secrets/SLACK_TOKEN", json={"value": "xoxb-test"})).status_code in (
        200,
        201,
        204,
    )
    created = await api.post("/v1/workflows", json=definition(http_server.url))
    workflow_id = created.json()["id"]
    base = f"/v1/workflows/{workflow_id}"
    event = {"name": "order/paid", "data": {"order": 7}}

    for body in (
        {"event": event},
        {"event": event, "mocks": {"call": {"error": {"type": "X", "message": "y"}}}},
    ):
        answer = await api.post(f"{base}/test", json=body)
        assert answer.status_code == 200, answer.text
    # A published version, tested, records nothing either.
    assert (await api.post(f"{base}/versions")).status_code == 201
    assert (await api.post(f"{base}/publish", json={"version": 1})).status_code == 200
    assert (await api.post(f"{base}/test", json={"version": 1, "event": event})).status_code == 200

    assert smtp.messages == []
    assert http_server.requests == []
    assert (await api.get("/v1/runs")).json()["items"] == []
    assert (await api.get("/v1/events")).json()["items"] == []

    # The control: the same workflow run for real reaches both sinks.
    posted = await api.post("/v1/events", json=event)
    run = await finished(api, posted.json()["runs"][0])
    assert run["status"] == "completed", run
    assert len(smtp.messages) == 1
    assert {r.path for r in http_server.requests} == {"/chat.postMessage", "/hook"}
