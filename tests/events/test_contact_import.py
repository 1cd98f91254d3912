"""The contact-import flow: validate, enrich (503 twice, then OK), wait for the review, act on it."""

import threading
from datetime import timedelta
from typing import Any

import httpx
import pytest

from tests.events.conftest import Finish
from tests.support.api_calls import post_event, publish
from tests.support.servers import HttpServer, ReceivedRequest, Reply


def contact_import(crm: str) -> dict[str, Any]:
    return {
        "name": "Contact import",
        "trigger": {"event": "api/contact_list.uploaded"},
        "actions": [
            {"id": "validate", "type": "branch", "data": {
                "if": "$count(event.data.contacts) = 0",
                "then": [{"type": "log", "data": {"message": "upload {{ event.data.upload_id }} is empty"}},
                         {"type": "return", "data": {"output": "invalid"}}]}},
            {"id": "enrich", "type": "http_request",
             "retry": {"max_attempts": 5, "initial_interval": "1s", "backoff": 1},
             "data": {"method": "POST", "url": f"{crm}/enrich", "json": "{{ event.data.contacts }}"}},
            {"id": "review", "type": "wait_for_event",
             "data": {"event": "api/contact_list.reviewed", "match": "data.upload_id", "timeout": "7d"}},
            {"id": "decide", "type": "branch", "data": {
                "if": "steps.review.output = null",
                "then": [{"type": "log", "data": {"message": "review timed out"}},
                         {"type": "return", "data": {"output": "timed_out"}}],
                "else": [{"id": "act", "type": "http_request", "data": {
                    "method": "{{ steps.review.output.data.decision = 'approved' ? 'POST' : 'DELETE' }}",
                    "url": f"{crm}/uploads/{{{{ event.data.upload_id }}}}"}},
                    {"type": "return", "data": {"output": "{{ steps.review.output.data.decision }}"}}]}},
        ],
    }  # fmt: skip


class Crm(HttpServer):
    """Enrichment fails twice with 503, then waits until ``release`` is set and succeeds."""

    def __init__(self) -> None:
        super().__init__(self._answer)
        self.release = threading.Event()
        self.enrich_calls = 0

    def _answer(self, request: ReceivedRequest) -> Reply:
        if request.path != "/enrich":
            return Reply(200, {"ok": True})
        self.enrich_calls += 1
        if self.enrich_calls <= 2:
            return Reply(503, {"error": "busy"})
        self.release.wait(timeout=30)
        return Reply(200, [{**c, "company": "Acme"} for c in request.json()])


@pytest.fixture
def crm() -> Any:
    server = Crm().start()
    yield server
    server.release.set()
    server.stop()


UPLOAD = {"upload_id": "up-1", "contacts": [{"email": "a@x.test"}, {"email": "b@x.test"}]}


async def start(api: httpx.AsyncClient, crm: Crm, data: dict[str, Any] = UPLOAD) -> str:
    await publish(api, contact_import(crm.url))
    return (await post_event(api, "api/contact_list.uploaded", data))["runs"][0]


async def review(api: httpx.AsyncClient, decision: str, upload: str = "up-1") -> dict[str, Any]:
    return await post_event(api, "api/contact_list.reviewed", {"upload_id": upload, "decision": decision})


async def test_review_posted_before_the_wait_is_not_lost(
    relay_ts: httpx.AsyncClient, crm: Crm, finish: Finish
) -> None:
    run_id = await start(relay_ts, crm)
    # The run is still enriching (the CRM holds its answer): the reviewer is fast.
    assert (await review(relay_ts, "approved"))["resumed"] == 1
    crm.release.set()
    run = await finish(run_id)
    assert run["status"] == "completed" and run["output"] == "approved", run
    steps = {s["id"]: s for s in run["steps"]}
    assert steps["enrich"]["attempts"] == 3 and crm.enrich_calls == 3, "enrich must be retried, not restarted"
    assert steps["enrich"]["output"]["body"][0]["company"] == "Acme"
    assert [r.method for r in crm.requests if r.path == "/uploads/up-1"] == ["POST"]


async def test_rejected_review_deletes(relay_ts: httpx.AsyncClient, crm: Crm, finish: Finish) -> None:
    run_id = await start(relay_ts, crm)
    crm.release.set()
    assert (await review(relay_ts, "rejected", upload="another-upload"))["resumed"] == 0
    assert (await review(relay_ts, "rejected"))["resumed"] == 1
    run = await finish(run_id)
    assert run["output"] == "rejected"
    assert [r.method for r in crm.requests if r.path == "/uploads/up-1"] == ["DELETE"]


async def test_silence_times_out_after_seven_days(
    relay_ts: httpx.AsyncClient, crm: Crm, finish: Finish
) -> None:
    run_id = await start(relay_ts, crm)
    crm.release.set()
    run = await finish(run_id)
    assert run["output"] == "timed_out"
    wait = {s["id"]: s for s in run["steps"]}["review"]
    assert wait["output"] is None
    from datetime import datetime

    waited = datetime.fromisoformat(wait["ended_at"]) - datetime.fromisoformat(wait["started_at"])
    assert waited >= timedelta(days=7)


async def test_empty_upload_is_invalid_and_ends(
    relay_ts: httpx.AsyncClient, crm: Crm, finish: Finish
) -> None:
    run_id = await start(relay_ts, crm, {"upload_id": "up-2", "contacts": []})
    run = await finish(run_id)
    assert run["output"] == "invalid" and crm.enrich_calls == 0
