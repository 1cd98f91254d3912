"""A run's state as Temporal knows it, written back to the Run row once the run has ended.

The row answers for finished runs (no Temporal call, no replay); a run still going is
asked: ``describe`` for its status, the ``progress`` query for its steps.
"""

import asyncio
import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Engine
from sqlmodel import Session
from temporalio.client import (
    Client,
    WorkflowExecutionStatus,
    WorkflowFailureError,
    WorkflowHandle,
    WorkflowQueryFailedError,
    WorkflowQueryRejectedError,
)
from temporalio.service import RPCError, RPCStatusCode

from interpreter.contract import PROGRESS_QUERY, Progress, RunResult
from relay.core.errors import Conflict
from relay.services.runs import TERMINAL
from relay.storage.tables import Run, utcnow

log = logging.getLogger(__name__)

# A query needs a worker to replay the run; without one, answer without steps rather than hang.
QUERY_TIMEOUT = timedelta(seconds=5)
ENDED = {
    WorkflowExecutionStatus.CANCELED: "cancelled",
    WorkflowExecutionStatus.TERMINATED: "cancelled",
    WorkflowExecutionStatus.TIMED_OUT: "timed_out",
    WorkflowExecutionStatus.FAILED: "failed",
}


@dataclass(frozen=True)
class RunState:
    status: str
    steps: list[dict[str, Any]] | None = None
    output: Any = None
    error: str | None = None
    ended_at: datetime | None = None


@dataclass
class Observed:
    """A run row brought up to date, and its live steps when it is still going."""

    run: Run
    steps: list[dict[str, Any]] = field(default_factory=list)


async def observe(client: Client, temporal_workflow_id: str, *, with_steps: bool = True) -> RunState | None:
    """The run's state; None when Temporal has no such workflow (not started yet)."""
    handle = client.get_workflow_handle(temporal_workflow_id, result_type=RunResult)
    try:
        description = await handle.describe()
    except RPCError as exc:
        if exc.status == RPCStatusCode.NOT_FOUND:
            return None
        raise
    status = description.status
    if status in (None, WorkflowExecutionStatus.RUNNING, WorkflowExecutionStatus.CONTINUED_AS_NEW):
        progress = await _progress(handle) if with_steps else None
        return RunState("running", steps=_steps(progress) if progress else None)
    # Ended: ask for the steps even for a list, because the row keeps them from now on.
    progress = await _progress(handle)
    steps = _steps(progress) if progress else []
    if status == WorkflowExecutionStatus.COMPLETED:
        result = await handle.result()
        return RunState(result.status, steps, result.output, result.error, description.close_time)
    error = await _failure(handle) if status == WorkflowExecutionStatus.FAILED else None
    if status == WorkflowExecutionStatus.TERMINATED:
        error = "terminated in Temporal"
    return RunState(ENDED[status], steps, None, error, description.close_time)


async def refresh(engine: Engine, client: Client, run: Run, *, with_steps: bool = True) -> Observed:
    """Bring ``run`` (a detached row) up to date; an ended run is written back once."""
    if run.status in TERMINAL:
        return Observed(run, run.steps or [])
    state = await observe(client, run.temporal_workflow_id, with_steps=with_steps)
    if state is None:
        return Observed(run)
    if state.status in TERMINAL:
        run = await asyncio.to_thread(write_back, engine, run_id=run.id, state=state)
        return Observed(run, run.steps or [])
    run.status = state.status
    return Observed(run, state.steps or [])


async def refresh_all(engine: Engine, client: Client, runs: list[Run], *, concurrency: int = 10) -> None:
    """Refresh the unfinished runs of a list; one that cannot be asked keeps its stored state."""
    gate = asyncio.Semaphore(concurrency)

    async def one(run: Run) -> None:
        async with gate:
            try:
                await refresh(engine, client, run, with_steps=False)
            except RPCError as exc:
                log.warning("could not refresh run %s: %s", run.id, exc.message)

    await asyncio.gather(*(one(run) for run in runs if run.status not in TERMINAL))


def write_back(engine: Engine, *, run_id: str, state: RunState) -> Run:
    """Store an ended run's status, output, error and steps (the first writer wins)."""
    with Session(engine, expire_on_commit=False) as session:
        run = session.get(Run, run_id)
        assert run is not None
        if run.status not in TERMINAL:
            run.status = state.status
            run.output = state.output
            run.error = state.error
            run.steps = state.steps or []
            run.ended_at = state.ended_at or utcnow()
            session.add(run)
            session.commit()
        return run


async def cancel(engine: Engine, client: Client, run: Run) -> str:
    """Ask Temporal to cancel the run; returns ``cancelling`` (or ``cancelled`` if never started)."""
    if run.status in TERMINAL:
        raise Conflict(f"run {run.id!r} has already ended ({run.status})")
    handle = client.get_workflow_handle(run.temporal_workflow_id)
    try:
        await handle.cancel(reason="cancelled through the Relay API")
        return "cancelling"
    except RPCError as exc:
        if exc.status != RPCStatusCode.NOT_FOUND:
            raise
    # Not in Temporal, or already closed there: say which.
    observed = await refresh(engine, client, run)
    if observed.run.status in TERMINAL:
        raise Conflict(f"run {run.id!r} has already ended ({observed.run.status})")
    state = RunState("cancelled", steps=[], error="cancelled before it started")
    await asyncio.to_thread(write_back, engine, run_id=run.id, state=state)
    return "cancelled"


async def _progress(handle: WorkflowHandle[Any, Any]) -> Progress | None:
    try:
        progress: Progress = await handle.query(
            PROGRESS_QUERY, result_type=Progress, rpc_timeout=QUERY_TIMEOUT
        )
        return progress
    except (WorkflowQueryFailedError, WorkflowQueryRejectedError, RPCError) as exc:
        log.warning("progress query for %s failed: %s", handle.id, exc)
        return None


async def _failure(handle: WorkflowHandle[Any, RunResult]) -> str:
    try:
        await handle.result()
    except WorkflowFailureError as exc:
        cause = exc.cause
        return getattr(cause, "message", None) or str(cause)
    return "failed"


def _steps(progress: Progress) -> list[dict[str, Any]]:
    return [step.model_dump(mode="json") for step in progress.steps]
