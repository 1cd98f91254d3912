"""The bulk-job activities: apply a job's action to one batch of its runs, and finish it.

Each run's outcome is ``done`` or ``failed``; a failed run never fails the job. A batch is
idempotent: each action is safe to repeat for a run (a cancelled run has already ended, a
replay's run id follows from the job and the run, a run that has a rerun recorded since the
job began is not rerun again), and the batch's counts are added only if no earlier try added
them (``relay.services.jobs.count_batch``).
"""

import asyncio
import logging
from collections.abc import Awaitable, Callable

from pydantic import BaseModel
from sqlalchemy import Engine
from temporalio import activity

from activities.jobs.contract import (
    JOB_BATCH_ACTIVITY,
    JOB_FINISH_ACTIVITY,
    BatchRequest,
    BatchResult,
    FinishRequest,
)
from relay.core.errors import Conflict
from relay.services import jobs
from relay.services.container import Services
from relay.services.db import in_session
from relay.services.run_start import start_run

log = logging.getLogger(__name__)


class JobActivities:
    def __init__(self, *, engine: Engine, services: Services) -> None:
        self._engine = engine
        self._services = services

    def activities(self) -> list[Callable[..., Awaitable[BaseModel | None]]]:
        return [self.job_batch, self.job_finish]

    @activity.defn(name=JOB_BATCH_ACTIVITY)
    async def job_batch(self, request: BatchRequest) -> BatchResult:
        batch = await in_session(
            self._engine, jobs.read_batch, job_id=request.job_id, offset=request.offset, size=request.size
        )
        outcomes = await asyncio.gather(*(self._apply(request, batch, run_id) for run_id in batch.run_ids))
        done = sum(outcomes)
        await in_session(
            self._engine, jobs.count_batch, job_id=request.job_id, offset=request.offset,
            done=done, failed=len(outcomes) - done,
        )  # fmt: skip
        return BatchResult(processed=len(batch.run_ids), total=batch.total)

    @activity.defn(name=JOB_FINISH_ACTIVITY)
    async def job_finish(self, request: FinishRequest) -> None:
        await in_session(self._engine, jobs.finish_job, job_id=request.job_id, status=request.status)

    async def _apply(self, request: BatchRequest, batch: jobs.Batch, run_id: str) -> bool:
        """True when the action took (or had nothing left to do), False when it failed."""
        try:
            if request.action == "cancel":
                await self._cancel(request.account_id, run_id)
            elif request.action == "replay":
                await self._replay(request, run_id)
            else:
                await self._rerun(request, batch, run_id)
            return True
        except Exception as exc:
            log.warning("job %s: %s of run %s failed: %s", request.job_id, request.action, run_id, exc)
            return False

    async def _cancel(self, account_id: str, run_id: str) -> None:
        try:
            await self._services.runs.cancel(account_id=account_id, run_id=run_id)
        except Conflict:
            pass  # already ended: nothing left to cancel

    async def _replay(self, request: BatchRequest, run_id: str) -> None:
        start = await in_session(
            self._engine, jobs.record_job_replay, account_id=request.account_id, job_id=request.job_id,
            run_id=run_id,
        )  # fmt: skip
        await start_run(self._services.temporal, start, task_queue=self._services.settings.task_queue)

    async def _rerun(self, request: BatchRequest, batch: jobs.Batch, run_id: str) -> None:
        """From the step that failed, on the run's own version (``RunService.rerun``)."""
        if await in_session(self._engine, jobs.rerun_since, run_id=run_id, since=batch.created_at):
            return  # an earlier try of this batch reran it
        await self._services.runs.rerun(
            account_id=request.account_id, run_id=run_id, from_step=None, version=None
        )
