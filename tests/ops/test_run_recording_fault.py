"""A worker killed between a run's end and the recording of it: the recording is retried by
another worker, so the Run row still ends right. Real worker processes, killed by PID."""

import asyncio
import os
import signal
import sqlite3
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

from sqlalchemy import Engine
from sqlmodel import Session
from temporalio.api.enums.v1 import PendingWorkflowTaskState
from temporalio.client import WorkflowExecutionStatus
from temporalio.testing import WorkflowEnvironment

from api.app import create_app
from relay.core.settings import Settings
from relay.services.accounts import create_account
from relay.storage.tables import Run
from tests.support.api_calls import publish
from tests.support.stack import api_client
from tests.support.workers import worker_process

NAPPER = {
    "name": "Napper",
    "trigger": {"event": "nap/go"},
    "actions": [{"id": "nap", "type": "sleep", "data": {"duration": "2s"}}],
}


def _row(engine: Engine, run_id: str) -> Run:
    with Session(engine) as session:
        run = session.get(Run, run_id)
        assert run is not None
        return run


async def _until(check: Callable[[], Awaitable[bool]], *, seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while not await check():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        await asyncio.sleep(0.2)


async def test_a_worker_killed_while_recording_the_end_leaves_the_row_right(
    dev_env: WorkflowEnvironment, settings: Settings, engine: Engine, tmp_path: Path
) -> None:
    app = create_app(settings, engine=engine, temporal_client=dev_env.client)
    async with app.router.lifespan_context(app), api_client(app, create_account(engine, name="Acme")[1]) as api:
        await publish(api, NAPPER)
        log = tmp_path / "workers.log"
        async with worker_process(dev_env, settings, log) as first:
            [run_id] = (await api.post("/v1/events", json={"name": "nap/go", "data": {}})).json()["runs"]

            handle = dev_env.client.get_workflow_handle(_row(engine, run_id).temporal_workflow_id)

            async def started() -> bool:
                # Its start is recorded once it sleeps (intake's own ``running`` comes earlier).
                history = await handle.fetch_history()
                return any(e.HasField("timer_started_event_attributes") for e in history.events)

            await _until(started, seconds=30, what="the run to record its start")

            # Hold the database while the run sleeps: its end cannot be written now.
            lock = sqlite3.connect(settings.database_url.removeprefix("sqlite:///"), isolation_level=None)
            lock.execute("BEGIN EXCLUSIVE")

            async def recording() -> bool:
                # The recording is a local activity: it runs inside the workflow task that
                # follows the sleep's timer, so "recording its end" is that task held open.
                history = await handle.fetch_history()
                fired = any(e.HasField("timer_fired_event_attributes") for e in history.events)
                task = (await handle.describe()).raw_description.pending_workflow_task
                return fired and task.state == PendingWorkflowTaskState.PENDING_WORKFLOW_TASK_STATE_STARTED

            await _until(recording, seconds=30, what="the run to be recording its end")
            os.kill(first, signal.SIGKILL)
            lock.execute("ROLLBACK")
            lock.close()

        assert (await handle.describe()).status == WorkflowExecutionStatus.RUNNING  # not closed unrecorded
        async with worker_process(dev_env, settings, log):

            async def recorded() -> bool:
                return (await asyncio.to_thread(_row, engine, run_id)).status == "completed"

            await _until(recorded, seconds=60, what="the end to be recorded by the second worker")

        row = _row(engine, run_id)
        assert row.ended_at is not None
        assert [(s["id"], s["status"]) for s in row.steps or []] == [("nap", "completed")]
        assert (await handle.describe()).status == WorkflowExecutionStatus.COMPLETED
        history = await handle.fetch_history()
        timers = [e for e in history.events if e.HasField("timer_started_event_attributes")]
        assert len(timers) == 1  # the sleep ran once; only the recording was tried again

