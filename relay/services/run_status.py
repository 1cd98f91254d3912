"""What Temporal knows of a run the database has not seen end: its live steps, or how it closed.

Read-only: a run writes its own start and end (``relay.services.run_lifecycle``). The API
asks Temporal only for what the row cannot know yet, the steps of a run still going.
"""

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

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

log = logging.getLogger(__name__)

# A query needs a worker to replay the run; without one, answer without steps rather than hang.
QUERY_TIMEOUT = timedelta(seconds=5)
CLOSED = {
    WorkflowExecutionStatus.CANCELED: "cancelled",
    WorkflowExecutionStatus.TERMINATED: "cancelled",
    WorkflowExecutionStatus.TIMED_OUT: "timed_out",
    WorkflowExecutionStatus.FAILED: "failed",
    WorkflowExecutionStatus.COMPLETED: "completed",
}


@dataclass(frozen=True)
class ClosedRun:
    """How Temporal closed a run, for a run whose own recording never came (terminated)."""

    status: str
    error: str | None
    output: Any
    ended_at: datetime | None


async def live_steps(client: Client, temporal_workflow_id: str) -> list[dict[str, Any]]:
    """The steps of a run still going, from its ``progress`` query; none when it cannot answer."""
    handle = client.get_workflow_handle(temporal_workflow_id)
    try:
        progress = await handle.query(PROGRESS_QUERY, result_type=Progress, rpc_timeout=QUERY_TIMEOUT)
    except (WorkflowQueryFailedError, WorkflowQueryRejectedError, RPCError) as exc:
        log.warning("progress query for %s failed: %s", temporal_workflow_id, exc)
        return []
    return [step.model_dump(mode="json") for step in progress.steps]


async def closed_run(client: Client, temporal_workflow_id: str) -> ClosedRun | None:
    """How the run closed in Temporal; None while it runs or when Temporal never started it."""
    handle = client.get_workflow_handle(temporal_workflow_id, result_type=RunResult)
    try:
        description = await handle.describe()
    except RPCError as exc:
        if exc.status == RPCStatusCode.NOT_FOUND:
            return None
        raise
    status = description.status
    if status is None or status not in CLOSED:
        return None
    if status == WorkflowExecutionStatus.COMPLETED:
        result = await handle.result()
        return ClosedRun(result.status, result.error, result.output, description.close_time)
    error = "terminated in Temporal" if status == WorkflowExecutionStatus.TERMINATED else None
    if status == WorkflowExecutionStatus.FAILED:
        error = await _failure(handle)
    return ClosedRun(CLOSED[status], error, None, description.close_time)


async def _failure(handle: WorkflowHandle[Any, RunResult]) -> str:
    try:
        await handle.result()
    except WorkflowFailureError as exc:
        cause = exc.cause
        return getattr(cause, "message", None) or str(cause)
    return "failed"
