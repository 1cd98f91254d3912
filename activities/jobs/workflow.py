"""``RelayBulkJob``: works through a job's run ids in batches, one activity per batch.

Deterministic and sandbox-safe: activities are called by name. A short timer between
batches limits the rate (20 runs per ``PAUSE`` of 0.5 s: about 40 runs/s) so a job over
thousands of runs does not flood Temporal or the database. The run ids were fixed when the
job was created; a batch's activity is idempotent (see ``batch``), so retries and worker
crashes count no run twice. Long jobs continue-as-new to keep their history short.
"""

from datetime import timedelta
from typing import Literal

from temporalio import workflow
from temporalio.common import RetryPolicy
from temporalio.exceptions import ActivityError

with workflow.unsafe.imports_passed_through():
    from activities.jobs.contract import (
        JOB_BATCH_ACTIVITY,
        JOB_FINISH_ACTIVITY,
        JOB_WORKFLOW,
        BatchRequest,
        BatchResult,
        FinishRequest,
        JobInput,
    )

# Between batches (``JobInput.batch_size`` runs each, 20 by default); continue-as-new after
# ``JobInput.batches_per_execution`` batches keeps each history small.
PAUSE = timedelta(milliseconds=500)
BATCH_RETRY = RetryPolicy(
    initial_interval=timedelta(seconds=1), maximum_interval=timedelta(seconds=30), maximum_attempts=20
)


@workflow.defn(name=JOB_WORKFLOW)
class RelayBulkJob:
    @workflow.run
    async def run(self, job: JobInput) -> str:
        offset = job.offset
        try:
            for _ in range(job.batches_per_execution):
                result = await workflow.execute_activity(
                    JOB_BATCH_ACTIVITY,
                    BatchRequest(
                        job_id=job.job_id,
                        account_id=job.account_id,
                        action=job.action,
                        offset=offset,
                        size=job.batch_size,
                    ),
                    result_type=BatchResult,
                    start_to_close_timeout=timedelta(minutes=2),
                    retry_policy=BATCH_RETRY,
                )
                offset += result.processed
                if result.processed == 0 or offset >= result.total:
                    return await self._finish(job, "completed")
                await workflow.sleep(PAUSE)
        except ActivityError:
            # A batch that kept failing (the database gone for minutes): the job ends failed,
            # its counts say how far it got.
            return await self._finish(job, "failed")
        workflow.continue_as_new(job.model_copy(update={"offset": offset}))

    async def _finish(self, job: JobInput, status: Literal["completed", "failed"]) -> str:
        await workflow.execute_activity(
            JOB_FINISH_ACTIVITY,
            FinishRequest(job_id=job.job_id, status=status),
            start_to_close_timeout=timedelta(seconds=30),
        )
        return status
