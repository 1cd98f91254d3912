"""Rerunning a run from a step: the steps before it are not executed again (counted at a real
local HTTP sink), their recorded outputs feed the new run."""

from collections import Counter
from typing import Any

import httpx
from sqlalchemy import Engine
from sqlmodel import Session
from temporalio.worker import Worker

from relay.services.db import with_session
from relay.services.rerun import record_rerun
from relay.services.run_start import run_start
from relay.storage.tables import Account, Run
from tests.api.flows import SIGNUP
from tests.support.api_calls import finished, publish
from tests.support.servers import HttpServer, ReceivedRequest, Reply


class Sink:
    """The local HTTP sink: counts calls per path; ``/two`` answers 400 while ``broken``."""

    def __init__(self, server: HttpServer) -> None:
        self.server = server
        self.broken = True
        server.responder = self._answer

    def _answer(self, request: ReceivedRequest) -> Reply:
        if request.path == "/two" and self.broken:
            return Reply(400, {"error": "broken"})
        return Reply(200, {"path": request.path, "call": len(self.server.requests)})

    def calls(self) -> Counter[str]:
        return Counter(r.path for r in self.server.requests)


def call(step_id: str, url: str, body: Any = None) -> dict[str, Any]:
    return {"id": step_id, "type": "http_request", "data": {"method": "POST", "url": url, "json": body}}


# Step three posts the event's ``name`` and step one's output, as the run sees them.
THREE = {"name": "{{ event.data.name }}", "one": "{{ steps.one.output.body.call }}"}


def chain(url: str) -> dict[str, Any]:
    return {
        "name": "Chain",
        "trigger": {"event": SIGNUP},
        "actions": [
            call("one", f"{url}/one"),
            call("two", f"{url}/two"),
            call("three", f"{url}/three", THREE),
        ],
    }


async def failed_run(api: httpx.AsyncClient, definition: dict[str, Any]) -> tuple[str, str]:
    workflow_id = await publish(api, definition)
    posted = await api.post("/v1/events", json={"name": SIGNUP, "data": {"name": "Ada"}})
    [run_id] = posted.json()["runs"]
    assert (await finished(api, run_id))["status"] == "failed"
    return workflow_id, run_id


def steps_of(run: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {step["id"]: step for step in run["steps"]}


async def test_rerun_from_the_failed_step_reuses_what_came_before(
    api: httpx.AsyncClient, worker: Worker, http_server: HttpServer
) -> None:
    sink = Sink(http_server)
    _workflow_id, original_id = await failed_run(api, chain(http_server.url))
    original = await finished(api, original_id)
    assert sink.calls() == {"/one": 1, "/two": 1}
    sink.broken = False

    answer = await api.post(f"/v1/runs/{original_id}/rerun")

    assert answer.status_code == 202, answer.text
    rerun = await finished(api, answer.json()["run_id"])
    assert rerun["status"] == "completed", rerun
    assert rerun["rerun_of"] == original_id and rerun["event_id"] is None
    assert sink.calls() == {"/one": 1, "/two": 2, "/three": 1}
    steps, before = steps_of(rerun), steps_of(original)
    assert steps["one"]["reused"] and steps["one"]["output"] == before["one"]["output"]
    assert not steps["two"]["reused"] and steps["two"]["status"] == "completed"
    assert rerun["temporal_workflow_id"].endswith(f"-rerun-{rerun['run_id']}")
    # The rerun ran with the original's event (its row cannot carry the id) and step one's output.
    [three] = [r.json() for r in http_server.requests if r.path == "/three"]
    assert three == {"name": "Ada", "one": before["one"]["output"]["body"]["call"]}
    assert (await api.get(f"/v1/runs/{original_id}")).json()["status"] == "failed"

    # A rerun of the rerun, from step two: one is reused again, two and three run again.
    again = await api.post(f"/v1/runs/{rerun['run_id']}/rerun", json={"from_step": "two"})

    assert again.status_code == 202, again.text
    third = await finished(api, again.json()["run_id"])
    assert third["status"] == "completed" and third["rerun_of"] == rerun["run_id"]
    assert sink.calls() == {"/one": 1, "/two": 3, "/three": 2}
    assert steps_of(third)["one"]["output"] == before["one"]["output"]


async def test_an_explicit_from_step_runs_again_with_everything_after_it(
    api: httpx.AsyncClient, worker: Worker, http_server: HttpServer
) -> None:
    sink = Sink(http_server)
    _workflow_id, original_id = await failed_run(api, chain(http_server.url))
    sink.broken = False

    answer = await api.post(f"/v1/runs/{original_id}/rerun", json={"from_step": "one"})

    assert answer.status_code == 202, answer.text
    rerun = await finished(api, answer.json()["run_id"])
    assert rerun["status"] == "completed"
    assert sink.calls() == {"/one": 2, "/two": 2, "/three": 1}
    assert not any(step["reused"] for step in rerun["steps"])


async def test_a_sibling_branch_not_downstream_of_from_step_is_reused(
    api: httpx.AsyncClient, worker: Worker, http_server: HttpServer
) -> None:
    sink = Sink(http_server)
    url = http_server.url
    graph = {
        "name": "Fan",
        "trigger": {"event": SIGNUP},
        # ``pause`` lets ``side`` complete before ``two`` fails (a failure cancels running siblings).
        "nodes": [call("start", f"{url}/start"), call("side", f"{url}/side"),
                  {"id": "pause", "type": "sleep", "data": {"duration": "1s"}},
                  call("two", f"{url}/two"), call("after", f"{url}/after")],
        "edges": [{"source": "start", "target": "side"}, {"source": "start", "target": "pause"},
                  {"source": "pause", "target": "two"}, {"source": "two", "target": "after"}],
    }  # fmt: skip
    _workflow_id, original_id = await failed_run(api, graph)
    assert sink.calls() == {"/start": 1, "/side": 1, "/two": 1}
    sink.broken = False

    rerun = await finished(api, (await api.post(f"/v1/runs/{original_id}/rerun")).json()["run_id"])

    assert rerun["status"] == "completed", rerun
    assert sink.calls() == {"/start": 1, "/side": 1, "/two": 2, "/after": 1}
    steps = steps_of(rerun)
    reused = {step_id for step_id, step in steps.items() if step["reused"]}
    assert reused == {"start", "side", "pause"}


async def test_refusals(
    api: httpx.AsyncClient, other_api: httpx.AsyncClient, worker: Worker, http_server: HttpServer
) -> None:
    Sink(http_server)
    _workflow_id, original_id = await failed_run(api, chain(http_server.url))

    unknown = await api.post(f"/v1/runs/{original_id}/rerun", json={"from_step": "nope"})
    assert unknown.status_code == 422 and "from_step" in unknown.text, unknown.text
    assert (await other_api.post(f"/v1/runs/{original_id}/rerun")).status_code == 404
    assert (await api.post("/v1/runs/no-such-run/rerun")).status_code == 404

    sleeper = await publish(
        api, {"name": "Sleeper", "actions": [{"id": "nap", "type": "sleep", "data": {"duration": "1h"}}]}
    )
    running = (await api.post(f"/v1/workflows/{sleeper}/runs")).json()["run_id"]
    refused = await api.post(f"/v1/runs/{running}/rerun")
    assert refused.status_code == 409 and "running" in refused.text, refused.text
    await api.post(f"/v1/runs/{running}/cancel")

    completed = await publish(
        api, {"name": "Fine", "actions": [{"id": "say", "type": "log", "data": {"message": "ok"}}]}
    )
    done = (await api.post(f"/v1/workflows/{completed}/runs")).json()["run_id"]
    assert (await finished(api, done))["status"] == "completed"
    nothing = await api.post(f"/v1/runs/{done}/rerun")
    assert nothing.status_code == 409 and "from_step" in nothing.text, nothing.text


async def test_a_recorded_rerun_restarts_from_its_row_with_its_event_and_reused_outputs(
    api: httpx.AsyncClient, acme: tuple[Account, str], db: Engine, worker: Worker, http_server: HttpServer
) -> None:
    """What recovery does with a rerun recorded before a crash: ``run_start`` from its row alone."""
    Sink(http_server)
    _workflow_id, original_id = await failed_run(api, chain(http_server.url))
    recorded = with_session(
        db, record_rerun, account_id=acme[0].id, run_id=original_id, from_step=None, version=None
    )

    with Session(db) as session:
        row = session.get(Run, recorded.input.run_id)
        assert row is not None and (row.status, row.event_id, row.rerun_of) == ("pending", None, original_id)
        start = run_start(session, row)

    assert start.input.event is not None and start.input.event.data == {"name": "Ada"}
    one = steps_of(await finished(api, original_id))["one"]["output"]
    assert start.input.reuse == {"one": one} == recorded.input.reuse
