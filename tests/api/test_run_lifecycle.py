"""Runs record their own start and end: rows are right without any GET, and filters are exact."""

import asyncio
from collections import Counter

import httpx
from sqlalchemy import Engine, func
from sqlmodel import Session, col, select
from temporalio.worker import Worker

from relay.services.run_start import TERMINAL
from relay.storage.subscriptions import RunSubscription
from relay.storage.tables import Run
from tests.support.api_calls import publish

KINDS = ("completed", "filtered", "failed")
RUNS_PER_KIND = 100

MIXED = {
    "name": "Mixed endings",
    "trigger": {"event": "mix/go"},
    "actions": [
        {"id": "gate", "type": "filter", "data": {"if": "event.data.kind != 'filtered'"}},
        {
            "id": "maybe_fail",
            "type": "branch",
            "data": {
                "if": "event.data.kind = 'failed'",
                "then": [{"type": "fail", "data": {"message": "asked to fail"}}],
                "else": [],
            },
        },
        {"id": "keep", "type": "set", "data": {"n": "{{ event.data.n }}"}},
    ],
}

WAITER = {
    "name": "Waiter",
    "trigger": {"event": "wait/start"},
    "actions": [{"id": "hold", "type": "wait_for_event", "data": {"event": "wait/go", "timeout": "1h"}}],
}


def _status_counts(engine: Engine) -> Counter[str]:
    with Session(engine) as session:
        rows = session.exec(select(Run.status, func.count()).group_by(col(Run.status))).all()
        return Counter({status: count for status, count in rows})


async def _until_all_ended(engine: Engine, *, total: int, seconds: float) -> Counter[str]:
    """Watch the database (never the API) until every run has written its end."""
    async with asyncio.timeout(seconds):
        while True:
            counts = await asyncio.to_thread(_status_counts, engine)
            if sum(counts[s] for s in TERMINAL) == total:
                return counts
            await asyncio.sleep(0.5)


async def _all_with_status(api: httpx.AsyncClient, status: str) -> list[dict[str, object]]:
    items: list[dict[str, object]] = []
    params: dict[str, str | int] = {"status": status, "limit": 200}
    while True:
        page = (await api.get("/v1/runs", params=params)).json()
        items += page["items"]
        if page["next_cursor"] is None:
            return items
        params["cursor"] = page["next_cursor"]


async def test_ended_runs_are_written_by_the_runs_and_status_filters_are_exact(
    api: httpx.AsyncClient, worker: Worker, db: Engine
) -> None:
    await publish(api, MIXED)
    gate = asyncio.Semaphore(20)

    async def post(n: int, kind: str) -> None:
        async with gate:
            answer = await api.post("/v1/events", json={"name": "mix/go", "data": {"kind": kind, "n": n}})
            assert answer.status_code == 202, answer.text

    await asyncio.gather(*(post(n, kind) for n in range(RUNS_PER_KIND) for kind in KINDS))

    counts = await _until_all_ended(db, total=RUNS_PER_KIND * len(KINDS), seconds=240)
    assert counts == Counter({kind: RUNS_PER_KIND for kind in KINDS})
    with Session(db) as session:
        failed = session.exec(select(Run).where(Run.status == "failed")).all()
    assert all(run.ended_at is not None and "asked to fail" in (run.error or "") for run in failed)
    assert all(any(s["id"] == "maybe_fail" and s["status"] == "failed" for s in run.steps or []) for run in failed)

    for kind in KINDS:
        listed = await _all_with_status(api, kind)
        assert len(listed) == RUNS_PER_KIND, kind
        assert {item["status"] for item in listed} == {kind}
    assert await _all_with_status(api, "running") == []


async def test_a_cancelled_run_records_its_end_and_closes_its_subscriptions(
    api: httpx.AsyncClient, worker: Worker, db: Engine
) -> None:
    await publish(api, WAITER)
    [run_id] = (await api.post("/v1/events", json={"name": "wait/start", "data": {}})).json()["runs"]
    async with asyncio.timeout(30):
        while True:  # until the run has reached its wait
            if (await api.get(f"/v1/runs/{run_id}")).json()["steps"]:
                break
            await asyncio.sleep(0.2)

    assert (await api.post(f"/v1/runs/{run_id}/cancel")).json()["status"] == "cancelling"

    async with asyncio.timeout(30):
        while True:  # the database, not the API: the run writes its own end
            row = await asyncio.to_thread(_run_row, db, run_id)
            if row.status == "cancelled":
                break
            await asyncio.sleep(0.2)
    assert row.ended_at is not None
    with Session(db) as session:
        subscriptions = session.exec(select(RunSubscription).where(RunSubscription.run_id == run_id)).all()
    assert subscriptions and not any(s.open for s in subscriptions)
    resumed = (await api.post("/v1/events", json={"name": "wait/go", "data": {}})).json()["resumed"]
    assert resumed == 0


def _run_row(engine: Engine, run_id: str) -> Run:
    with Session(engine) as session:
        run = session.get(Run, run_id)
        assert run is not None
        return run
