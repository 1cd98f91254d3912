"""The run records its own lifecycle: a system activity when it starts and when it ends.

The activity is retried until the database takes it, so a worker killed between a run's
end and its recording still leaves the row right: the workflow does not close before the
recording is done. Runs started before this existed replay unchanged (``workflow.patched``);
each phase has its own patch id because the SDK remembers a patch's answer for the run.
"""

import asyncio
from datetime import timedelta

from temporalio.common import RetryPolicy
from temporalio.exceptions import ActivityError, is_cancelled_exception

from interpreter import engine
from interpreter.contract import RECORD_RUN_ACTIVITY, RunInput, RunRecord, RunRecorded, RunStatus, StepView

START_PATCH = "relay-record-run-start"
END_PATCH = "relay-record-run-end"
# Since then each recording is a local activity: it runs inside the workflow task that reaches
# it, so it costs no activity-task round trip through the server (two per run; measured in
# ``bench`` figure 1). One patch id per phase, as above.
LOCAL_START_PATCH = "relay-record-run-start-local"
LOCAL_END_PATCH = "relay-record-run-end-local"

# The database may be down for a while: keep trying, never give up on a run's outcome.
RECORD_RETRY = RetryPolicy(initial_interval=timedelta(seconds=1), maximum_interval=timedelta(seconds=30))
# One row written: a recording stuck longer (a worker gone, a lock) is tried again elsewhere.
RECORD_TIMEOUT = timedelta(seconds=10)


def records_lifecycle(run: RunInput) -> bool:
    """A run records itself; a slice of a long ``foreach`` leaves it to the run it belongs to."""
    return not run.part_of_run


async def record_start(run: RunInput) -> str:
    """Mark the run ``running``; returns Relay's run id (a scheduled fire is recorded here)."""
    if not engine.patched(START_PATCH):
        return run.run_id
    try:
        recorded = await _record(
            run, status="running", summary="record run started", local=engine.patched(LOCAL_START_PATCH)
        )
    except ActivityError as err:
        # Cancelled while recording its start: the SDK resolves the activity as a failure, so
        # say it as the cancellation it is and let the run record its end as ``cancelled``.
        if is_cancelled_exception(err):
            raise asyncio.CancelledError from err
        raise
    return recorded.run_id


async def record_end(
    run: RunInput, *, status: RunStatus, output: object, error: str | None, steps: list[StepView]
) -> None:
    """Write the run's final status, output, error and steps, and close its subscriptions."""
    if not engine.patched(END_PATCH):
        return
    local = engine.patched(LOCAL_END_PATCH)
    await _record(
        run,
        status=status,
        output=output,
        error=error,
        steps=steps,
        summary=f"record run {status}",
        local=local,
    )


async def _record(
    run: RunInput,
    *,
    status: RunStatus,
    summary: str,
    local: bool,
    output: object = None,
    error: str | None = None,
    steps: list[StepView] | None = None,
) -> RunRecorded:
    record = RunRecord(
        run_id=run.run_id,
        account_id=run.account_id,
        workflow_id=run.workflow_id,
        version=run.version,
        input=run.input,
        status=status,
        output=output,
        error=error,
        steps=steps or [],
    )
    execute = engine.execute_local_activity if local else engine.execute_activity
    return await execute(
        RECORD_RUN_ACTIVITY,
        record,
        result_type=RunRecorded,
        start_to_close_timeout=RECORD_TIMEOUT,
        retry_policy=RECORD_RETRY,
        summary=summary,
    )
