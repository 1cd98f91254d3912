"""Bulk operations on runs: dry-run counts by filter, a bulk cancel carried out by a job,
a bulk replay, and accounts kept apart. Real worker, API in-process, SQLite and PostgreSQL."""

import asyncio
from datetime import UTC, datetime
from typing import Any

import httpx
from fastapi import FastAPI
from sqlalchemy import Engine
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Worker

from activities.jobs.batch import JobActivities
from activities.jobs.contract import JOB_WORKFLOW, BatchRequest, BatchResult, JobInput, job_workflow_id
from relay.core.settings import Settings
from relay.services.db import with_session
from relay.services.jobs import record_job
from relay.storage.tables import Account
from tests.api.flows import GREETER, SIGNUP, greeter
from tests.api.test_rerun import Sink, chain
from tests.support.api_calls import finished, publish
from tests.support.servers import HttpServer

SLEEPER = greeter(
    name="Sleeper",
    trigger={"event": "nap/go"},
    actions=[{"id": "nap", "type": "sleep", "data": {"duration": "1h"}}],
)


async def test_dry_run_counts_what_the_filter_selects(api: httpx.AsyncClient, worker: Worker) -> None:
    greeter_id = await publish(api, GREETER)
    sleeper_id = await publish(api, SLEEPER)
    for plan in ("pro", "free"):
        event = (await api.post("/v1/events", json={"name": SIGNUP, "data": {"plan": plan}})).json()
        for run_id in event["runs"]:
            await finished(api, run_id)
    await asyncio.sleep(0.05)
    middle = datetime.now(UTC)
    await asyncio.sleep(0.05)
    for _ in range(3):
        await api.post("/v1/events", json={"name": "nap/go", "data": {}})
    await api.post(f"/v1/workflows/{sleeper_id}/runs")

    assert await _count(api) == 6
    assert await _count(api, workflow_id=greeter_id) == 2
    assert await _count(api, workflow_id=sleeper_id, version=1) == 4
    assert await _count(api, status="filtered") == 1
    assert await _count(api, status="completed", workflow_id=greeter_id) == 1
    assert await _count(api, event_name="nap/go") == 3
    assert await _count(api, since=middle.isoformat()) == 4
    assert await _count(api, until=middle.isoformat()) == 2
    assert await _count(api, workflow_id="nope") == 0

    unknown = await api.post("/v1/runs/bulk", json={"action": "cancel", "filter": {"colour": "red"}})
    assert unknown.status_code == 422 and unknown.json()["detail"][0]["loc"] == ["body", "filter", "colour"]
    action = await api.post("/v1/runs/bulk", json={"action": "explode", "filter": {}})
    assert action.status_code == 422 and action.json()["detail"][0]["loc"] == ["body", "action"]


async def test_bulk_cancel_of_50_sleeping_runs(
    api: httpx.AsyncClient, other_api: httpx.AsyncClient, worker: Worker
) -> None:
    sleeper_id = await publish(api, SLEEPER)
    run_ids = [(await api.post(f"/v1/workflows/{sleeper_id}/runs")).json()["run_id"] for _ in range(50)]
    theirs = await publish(other_api, SLEEPER)
    their_run = (await other_api.post(f"/v1/workflows/{theirs}/runs")).json()["run_id"]

    # Another account's filter selects none of ours.
    assert await _count(other_api, workflow_id=sleeper_id) == 0
    answer = await api.post("/v1/runs/bulk", json={"action": "cancel", "filter": {"workflow_id": sleeper_id}})
    assert answer.status_code == 202, answer.text
    job_id = answer.json()["job_id"]
    assert (await other_api.get(f"/v1/jobs/{job_id}")).status_code == 404

    job = await job_ended(api, job_id)
    assert {k: job[k] for k in ("action", "total", "done", "failed", "status")} == {
        "action": "cancel", "total": 50, "done": 50, "failed": 0, "status": "completed",
    }  # fmt: skip
    assert job["filter"] == {"workflow_id": sleeper_id} and job["ended_at"] is not None
    statuses = [(await finished(api, run_id))["status"] for run_id in run_ids]
    assert statuses == ["cancelled"] * 50
    assert (await other_api.get(f"/v1/runs/{their_run}")).json()["status"] == "running"

    # An empty selection is a job of 0 runs that completes.
    empty = await api.post("/v1/runs/bulk", json={"action": "cancel", "filter": {"status": "running"}})
    emptied = await job_ended(api, empty.json()["job_id"])
    assert (emptied["total"], emptied["done"], emptied["status"]) == (0, 0, "completed")
    await other_api.post(f"/v1/runs/{their_run}/cancel")


async def test_bulk_replay_starts_fresh_runs_with_the_same_event(
    api: httpx.AsyncClient, worker: Worker
) -> None:
    greeter_id = await publish(api, GREETER)
    originals = []
    for name in ("ada", "bob", "cy"):
        event = (
            await api.post("/v1/events", json={"name": SIGNUP, "data": {"plan": "pro", "name": name}})
        ).json()
        originals += event["runs"]
    for run_id in originals:
        await finished(api, run_id)

    answer = await api.post("/v1/runs/bulk", json={"action": "replay", "filter": {"workflow_id": greeter_id}})
    job = await job_ended(api, answer.json()["job_id"])

    assert (job["total"], job["done"], job["failed"], job["status"]) == (3, 3, 0, "completed")
    runs = (await api.get("/v1/runs", params={"workflow_id": greeter_id})).json()["items"]
    replays = [r for r in runs if r["run_id"] not in originals]
    assert len(replays) == 3
    for replay in replays:
        run = await finished(api, replay["run_id"])
        assert run["status"] == "completed"
        assert run["steps"][-1]["output"]["message"].startswith("welcome ")


async def test_a_retried_batch_counts_and_replays_each_run_once(
    app: FastAPI, api: httpx.AsyncClient, acme: tuple[Account, str], db: Engine, worker: Worker
) -> None:
    greeter_id = await publish(api, GREETER)
    event = (
        await api.post("/v1/events", json={"name": SIGNUP, "data": {"plan": "pro", "name": "ada"}})
    ).json()
    await finished(api, event["runs"][0])
    account_id = acme[0].id
    job = with_session(
        db, record_job, account_id=account_id, action="replay", filter={"workflow_id": greeter_id}
    )
    batch = JobActivities(engine=db, services=app.state.services)
    request = BatchRequest(job_id=job.id, account_id=account_id, action="replay", offset=0, size=20)

    # As if the worker died after the batch's work and Temporal ran the activity again.
    first = await batch.job_batch(request)
    again = await batch.job_batch(request)

    assert first == again == BatchResult(processed=1, total=1)
    counted = (await api.get(f"/v1/jobs/{job.id}")).json()
    assert (counted["done"], counted["failed"]) == (1, 0)
    runs = (await api.get("/v1/runs", params={"workflow_id": greeter_id})).json()["items"]
    assert len(runs) == 2
    [replay] = [r for r in runs if r["run_id"] != event["runs"][0]]
    assert (await finished(api, replay["run_id"]))["status"] == "completed"


async def test_bulk_rerun_of_failed_runs_reruns_each_once(
    app: FastAPI, api: httpx.AsyncClient, acme: tuple[Account, str], worker: Worker, http_server: HttpServer
) -> None:
    sink = Sink(http_server)
    workflow_id = await publish(api, chain(http_server.url))
    for name in ("ada", "bob", "cy"):
        [run_id] = (await api.post("/v1/events", json={"name": SIGNUP, "data": {"name": name}})).json()[
            "runs"
        ]
        assert (await finished(api, run_id))["status"] == "failed"
    sink.broken = False

    answer = await api.post("/v1/runs/bulk", json={"action": "rerun", "filter": {"status": "failed"}})
    job = await job_ended(api, answer.json()["job_id"])

    assert (job["total"], job["done"], job["failed"], job["status"]) == (3, 3, 0, "completed")
    reruns = [r for r in (await api.get("/v1/runs", params={"workflow_id": workflow_id})).json()["items"]
              if r["rerun_of"]]  # fmt: skip
    assert len(reruns) == 3
    for rerun in reruns:
        assert (await finished(api, rerun["run_id"]))["status"] == "completed"
    assert sink.calls() == {"/one": 3, "/two": 6, "/three": 3}
    # The batch tried again (a worker lost after its work): no second rerun, no second count.
    batch = JobActivities(engine=app.state.services.engine, services=app.state.services)
    request = BatchRequest(job_id=job["id"], account_id=acme[0].id, action="rerun", offset=0, size=20)
    assert await batch.job_batch(request) == BatchResult(processed=3, total=3)
    assert (await api.get(f"/v1/jobs/{job['id']}")).json()["done"] == 3
    assert len((await api.get("/v1/runs", params={"workflow_id": workflow_id})).json()["items"]) == 6


async def test_a_long_job_continues_as_new_and_counts_every_run(
    api: httpx.AsyncClient, acme: tuple[Account, str], db: Engine, settings: Settings,
    dev_env: WorkflowEnvironment, worker: Worker,
) -> None:  # fmt: skip
    sleeper_id = await publish(api, SLEEPER)
    run_ids = [(await api.post(f"/v1/workflows/{sleeper_id}/runs")).json()["run_id"] for _ in range(3)]
    account_id = acme[0].id
    job = with_session(
        db, record_job, account_id=account_id, action="cancel", filter={"workflow_id": sleeper_id}
    )
    # One run per batch and one batch per execution: three continue-as-new hops.
    job_input = JobInput(
        job_id=job.id, account_id=account_id, action="cancel", batch_size=1, batches_per_execution=1
    )
    handle = await dev_env.client.start_workflow(
        JOB_WORKFLOW, job_input, id=job_workflow_id(account_id=account_id, job_id=job.id),
        task_queue=settings.task_queue,
    )  # fmt: skip

    assert await handle.result() == "completed"
    ended = await job_ended(api, job.id)
    assert (ended["total"], ended["done"], ended["failed"]) == (3, 3, 0)
    first = dev_env.client.get_workflow_handle(handle.id, run_id=handle.result_run_id)
    history = await first.fetch_history()
    assert history.events[-1].HasField("workflow_execution_continued_as_new_event_attributes")
    assert {(await finished(api, run_id))["status"] for run_id in run_ids} == {"cancelled"}


async def job_ended(api: httpx.AsyncClient, job_id: str, *, seconds: float = 40) -> dict[str, Any]:
    async with asyncio.timeout(seconds):
        while True:
            answer = await api.get(f"/v1/jobs/{job_id}")
            assert answer.status_code == 200, answer.text
            if answer.json()["status"] != "running":
                return dict(answer.json())
            await asyncio.sleep(0.2)


async def _count(api: httpx.AsyncClient, **filter: Any) -> int:
    answer = await api.post("/v1/runs/bulk", json={"action": "cancel", "filter": filter, "dry_run": True})
    assert answer.status_code == 200, answer.text
    return int(answer.json()["count"])
