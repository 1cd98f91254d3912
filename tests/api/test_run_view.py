"""``GET /v1/runs/{id}`` shows a run whole (SPEC §7): every step of its definition, live attempts
of a step being retried, cancelled and never-run steps, one row per ``foreach`` item."""

import asyncio
from typing import Any

import httpx
from temporalio.worker import Worker

from tests.support.api_calls import finished, publish
from tests.support.servers import HttpServer, Reply


def steps_of(run: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {step["id"]: step for step in run["steps"]}


async def until(api: httpx.AsyncClient, run_id: str, holds: Any, *, seconds: float = 60) -> dict[str, Any]:
    """Poll the run until ``holds(run)``; the last answer."""
    async with asyncio.timeout(seconds):
        while True:
            run = (await api.get(f"/v1/runs/{run_id}")).json()
            if holds(run):
                return run
            await asyncio.sleep(0.3)


async def start(api: httpx.AsyncClient, definition: dict[str, Any], **body: Any) -> str:
    workflow_id = await publish(api, definition)
    answer = await api.post(f"/v1/workflows/{workflow_id}/runs", json=body)
    assert answer.status_code == 202, answer.text
    run_id: str = answer.json()["run_id"]
    return run_id


async def test_a_retrying_step_shows_live_attempts_and_last_error(
    api: httpx.AsyncClient, worker: Worker, http_server: HttpServer
) -> None:
    http_server.responder = lambda _req: Reply(503, {"error": "upstream down"})
    run_id = await start(api, {"name": "Flaky", "actions": [
        {"id": "call", "type": "http_request", "retry": {"initial_interval": "200ms", "max_interval": "1s"},
         "data": {"method": "POST", "url": f"{http_server.url}/hook"}},
        {"id": "after", "type": "log", "data": {"message": "done"}},
    ]})  # fmt: skip

    run = await until(api, run_id, lambda r: (steps_of(r).get("call") or {}).get("attempts", 0) >= 2)

    assert run["status"] == "running"
    call, after = steps_of(run)["call"], steps_of(run)["after"]
    assert call["status"] == "running"
    assert call["last_error"] and "503" in call["last_error"], call
    assert call["error"] is None
    assert after["status"] == "pending" and after["last_error"] is None
    assert [s["id"] for s in run["steps"]] == ["call", "after"]

    http_server.responder = lambda _req: Reply(200, {"ok": True})
    done = await finished(api, run_id, seconds=60)
    assert done["status"] == "completed"
    assert steps_of(done)["call"]["attempts"] >= 2 and steps_of(done)["call"]["last_error"] is None
    assert steps_of(done)["after"]["status"] == "completed"


async def test_a_cancelled_run_shows_its_sleep_cancelled_and_later_steps_not_run(
    api: httpx.AsyncClient, worker: Worker
) -> None:
    run_id = await start(api, {"name": "Nap", "actions": [
        {"id": "hello", "type": "log", "data": {"message": "hi"}},
        {"id": "nap", "type": "sleep", "data": {"duration": "1h"}},
        {"id": "bye", "type": "log", "data": {"message": "bye"}},
        {"id": "check", "type": "branch", "data": {"if": "true", "then": [
            {"id": "inner", "type": "log", "data": {"message": "inner"}}], "else": []}},
    ]})  # fmt: skip

    running = await until(api, run_id, lambda r: steps_of(r).get("nap", {}).get("status") == "running")
    assert {k: s["status"] for k, s in steps_of(running).items()} == {
        "hello": "completed", "nap": "running", "bye": "pending", "check": "pending", "inner": "pending",
    }  # fmt: skip
    assert (await api.post(f"/v1/runs/{run_id}/cancel")).status_code == 202

    run = await finished(api, run_id)

    assert run["status"] == "cancelled"
    steps = steps_of(run)
    assert (steps["nap"]["status"], steps["nap"]["error"]) == ("cancelled", None)
    assert steps["nap"]["ended_at"] is not None
    assert {k: steps[k]["status"] for k in ("hello", "bye", "check", "inner")} == {
        "hello": "completed", "bye": "not_run", "check": "not_run", "inner": "not_run",
    }  # fmt: skip


async def test_foreach_items_and_branch_arms(api: httpx.AsyncClient, worker: Worker) -> None:
    run_id = await start(api, {"name": "Each", "actions": [
        {"id": "pick", "type": "branch", "data": {"if": "input.big", "then": [
            {"id": "big", "type": "log", "data": {"message": "big"}}], "else": [
            {"id": "small", "type": "log", "data": {"message": "small"}}]}},
        {"id": "each", "type": "foreach", "data": {"items": "input.names", "concurrency": 2, "do": [
            {"id": "greet", "type": "log", "data": {"message": "hello {{ item }}"}}]}},
        {"id": "stop", "type": "fail", "data": {"message": "no more"}},
        {"id": "never", "type": "log", "data": {"message": "never"}},
    ]}, input={"big": False, "names": ["ada", "bo", "cy"]})  # fmt: skip

    run = await finished(api, run_id)

    assert run["status"] == "failed"
    rows = [(s["id"], s["type"], s["status"]) for s in run["steps"]]
    assert rows == [
        ("pick", "branch", "completed"),
        ("big", "log", "skipped"),  # the arm the condition did not take
        ("small", "log", "completed"),
        ("each", "foreach", "completed"),
        ("each[0]", "item", "completed"),
        ("each[1]", "item", "completed"),
        ("each[2]", "item", "completed"),
        ("stop", "fail", "failed"),
        ("never", "log", "not_run"),
    ]
    items = steps_of(run)
    assert items["each[1]"]["output"] == {"message": "hello bo"}
    assert items["each[2]"]["started_at"] and items["each[2]"]["ended_at"]


async def test_a_failing_foreach_item_is_its_own_row(
    api: httpx.AsyncClient, worker: Worker, http_server: HttpServer
) -> None:
    http_server.responder = lambda req: Reply(404 if req.path == "/1" else 200, {"ok": True})
    run_id = await start(api, {"name": "Each fails", "actions": [
        {"id": "each", "type": "foreach", "data": {"items": "input.n", "concurrency": 1, "do": [
            {"id": "call", "type": "http_request", "data": {"method": "GET", "url": f"{http_server.url}/{{{{ item }}}}"}}]}},
    ]}, input={"n": [0, 1, 2]})  # fmt: skip

    run = await finished(api, run_id)

    assert run["status"] == "failed"
    statuses = {s["id"]: s["status"] for s in run["steps"]}
    # One at a time: item 1 fails, so item 2 is cancelled as it starts (or never starts).
    assert statuses.pop("each[2]") in ("cancelled", "not_run")
    assert statuses == {"each": "failed", "each[0]": "completed", "each[1]": "failed"}
    assert "404" in steps_of(run)["each[1]"]["error"]


async def test_a_retrying_action_inside_an_item_shows_on_the_items_row(
    api: httpx.AsyncClient, worker: Worker, http_server: HttpServer
) -> None:
    http_server.responder = lambda req: Reply(503 if req.path == "/1" else 200, {"ok": True})
    url = f"{http_server.url}/{{{{ item }}}}"
    run_id = await start(api, {"name": "Each retries", "actions": [
        {"id": "each", "type": "foreach", "data": {"items": "input.n", "do": [
            {"id": "call", "type": "http_request", "retry": {"initial_interval": "200ms", "max_interval": "1s"},
             "data": {"method": "GET", "url": url}}]}},
    ]}, input={"n": [0, 1]})  # fmt: skip

    run = await until(api, run_id, lambda r: (steps_of(r).get("each[1]") or {}).get("attempts", 0) >= 2)

    rows = steps_of(run)
    assert rows["each[0]"]["status"] == "completed"
    assert rows["each[1]"]["status"] == "running" and "503" in rows["each[1]"]["last_error"]
    http_server.responder = lambda _req: Reply(200, {"ok": True})
    assert (await finished(api, run_id, seconds=60))["status"] == "completed"
