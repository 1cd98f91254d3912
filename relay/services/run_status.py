"""What Temporal knows of a run the database has not seen end: its live steps, the attempts of
the actions it is retrying, or how it closed.

Read-only: a run writes its own start and end (``relay.services.run_lifecycle``). The API
asks Temporal only for what the row cannot know yet, the steps of a run still going.
"""

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from temporalio.api.failure.v1 import Failure
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
from interpreter.summaries import row_of_activity

log = logging.getLogger(__name__)

# A query needs a worker to replay the run; without one, answer without steps rather than hang.
QUERY_TIMEOUT = timedelta(seconds=2)
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


@dataclass(frozen=True)
class LiveAttempt:
    """An action Temporal is still trying: its current attempt and the last attempt's error."""

    attempts: int
    last_error: str | None


async def live_progress(client: Client, temporal_workflow_id: str) -> Progress | None:
    """A run's ``progress`` query; None when it cannot answer (no worker, no such run)."""
    handle = client.get_workflow_handle(temporal_workflow_id)
    try:
        return await handle.query(PROGRESS_QUERY, result_type=Progress, rpc_timeout=QUERY_TIMEOUT)
    except (WorkflowQueryFailedError, WorkflowQueryRejectedError, RPCError) as exc:
        log.warning("progress query for %s failed: %s", temporal_workflow_id, exc)
        return None


async def live_steps(client: Client, temporal_workflow_id: str) -> list[dict[str, Any]]:
    """The steps of a run still going, from its ``progress`` query; none when it cannot answer."""
    progress = await live_progress(client, temporal_workflow_id)
    return [step.model_dump(mode="json") for step in progress.steps] if progress else []


async def live_attempts(client: Client, temporal_workflow_id: str) -> dict[str, LiveAttempt]:
    """Step row id → the attempts of its action still pending in Temporal, read from the run's
    pending activities (``describe``): the workflow itself learns of an attempt only when the
    action ends. Actions name their row in their activity id (``interpreter.summaries``)."""
    handle = client.get_workflow_handle(temporal_workflow_id)
    try:
        description = await handle.describe(rpc_timeout=QUERY_TIMEOUT)
    except RPCError as exc:
        log.warning("describe of %s failed: %s", temporal_workflow_id, exc)
        return {}
    found: dict[str, LiveAttempt] = {}
    for pending in description.raw_description.pending_activities:
        row = row_of_activity(pending.activity_id)
        if row is None:
            continue
        error = await _message(client, pending.last_failure) if pending.HasField("last_failure") else None
        known = found.get(row)
        if known is None or pending.attempt > known.attempts:
            found[row] = LiveAttempt(attempts=pending.attempt, last_error=error or None)
    return found


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


async def _message(client: Client, failure: Failure) -> str | None:
    """A failure's message, decoded as the client's converter says (with payload encryption on,
    messages travel encrypted)."""
    copy = Failure()
    copy.CopyFrom(failure)
    try:
        decoded = await client.data_converter.decode_failure(copy)
    except Exception as exc:  # a payload this process cannot decode: say what Temporal holds
        log.warning("could not decode an activity failure: %s", exc)
        return failure.message or None
    return getattr(decoded, "message", None) or str(decoded) or None


async def _failure(handle: WorkflowHandle[Any, RunResult]) -> str:
    try:
        await handle.result()
    except WorkflowFailureError as exc:
        cause = exc.cause
        return getattr(cause, "message", None) or str(cause)
    return "failed"
