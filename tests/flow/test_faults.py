"""Queued runs survive ``kill -9``: of the API that queued them and of the worker running them.
After restarts every run starts, in order, exactly once."""

import asyncio
import signal
from pathlib import Path

from sqlalchemy import Engine
from sqlmodel import Session
from temporalio.testing import WorkflowEnvironment

from relay.core.settings import Settings
from relay.services.accounts import create_account
from relay.storage.tables import Run
from tests.flow import procs
from tests.flow.flows import hitting, post, publish, statuses, until_ended
from tests.flow.sink import Sink, max_overlap


async def test_killed_api_and_worker_lose_no_queued_run_and_start_none_twice(
    dev_env: WorkflowEnvironment, flow_settings: Settings, engine: Engine, sink: Sink, tmp_path: Path
) -> None:
    sink.delay = 1.0
    _, key = create_account(engine, name="Acme")
    log = tmp_path / "procs.log"
    async with procs.api(dev_env, flow_settings, log, key) as (first_api, client):
        workflow_id = await publish(client, hitting(sink.url, "job/durable", concurrency={"limit": 1}))
        async with procs.worker(dev_env, flow_settings, log) as first_worker:
            runs = [await post(client, "job/durable", {"k": "x", "n": n}) for n in range(6)]
            queued = [r for r, s in (await statuses(client, workflow_id)).items() if s == "queued"]
            assert len(queued) >= 4, queued
            first_api.send_signal(signal.SIGKILL)
            await first_api.wait()
            await _first_call(sink)
            first_worker.send_signal(signal.SIGKILL)  # mid-run, with five runs waiting
            await first_worker.wait()
    async with (
        procs.api(dev_env, flow_settings, log, key) as (_, client),
        procs.worker(dev_env, flow_settings, log),
    ):
        ended = await until_ended(client, workflow_id, 6, seconds=180)
    assert sorted(ended) == sorted(runs)
    assert set(ended.values()) == {"completed"}, ended
    calls = sink.finished()
    # The step of the run cut short is retried (an action is at-least-once); every run went once.
    first_seen: dict[str, float] = {}
    for call in sorted(calls, key=lambda c: c.arrived):
        first_seen.setdefault(call.body["run"], call.arrived)
    assert set(first_seen) == set(runs)
    assert sorted(first_seen, key=lambda r: first_seen[r]) == runs, "not started in order"
    assert max_overlap(calls) == 1
    for run_id in runs:
        executions = await _executions(dev_env, engine, run_id)
        assert executions == 1, f"run {run_id} has {executions} executions"


async def _executions(env: WorkflowEnvironment, engine: Engine, run_id: str) -> int:
    """How many Temporal executions the run has (a run started twice would have two)."""
    with Session(engine) as session:
        run = session.get(Run, run_id)
        assert run is not None
        workflow_id = run.temporal_workflow_id
    return len([w async for w in env.client.list_workflows(f"WorkflowId = '{workflow_id}'")])


async def _first_call(sink: Sink) -> None:
    """Until the first run's step reaches the sink."""
    for _ in range(300):
        if sink.calls:
            return
        await asyncio.sleep(0.1)
    raise AssertionError("no run reached the sink within 30 s")
