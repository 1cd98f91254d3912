"""Bulk jobs on runs: select runs by filter, record the job, start its workflow, read it back.

A job fixes the run ids its filter selects when it is created; ``RelayBulkJob``
(``activities/jobs``) then works through exactly those. The helpers below the service are
the database side of the job's activities, written so a retried batch counts no run twice.
"""

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine, delete, update
from sqlmodel import Session, col, select
from temporalio.client import Client

from activities.jobs.contract import JOB_WORKFLOW, JobAction, JobInput, job_workflow_id
from relay.core.errors import Conflict, NotFound
from relay.core.settings import Settings
from relay.services.db import in_session
from relay.services.run_start import RunStart, run_start, temporal_workflow_id
from relay.storage.jobs import Job
from relay.storage.tables import Event, Run, Workflow, utcnow


class JobService:
    """Bulk jobs of one Relay deployment, always scoped to the caller's account."""

    def __init__(self, *, engine: Engine, temporal: Client, settings: Settings) -> None:
        self.engine = engine
        self.temporal = temporal
        self.settings = settings

    async def count(self, *, account_id: str, filter: dict[str, Any]) -> int:
        """How many of the account's runs ``filter`` selects (a dry run)."""
        return len(await in_session(self.engine, select_run_ids, account_id=account_id, filter=filter))

    async def create(self, *, account_id: str, action: JobAction, filter: dict[str, Any]) -> str:
        """Record a job over the runs ``filter`` selects now and start its workflow; its id."""
        job = await in_session(self.engine, record_job, account_id=account_id, action=action, filter=filter)
        try:
            await self.temporal.start_workflow(
                JOB_WORKFLOW,
                JobInput(job_id=job.id, account_id=account_id, action=action),
                id=job_workflow_id(account_id=account_id, job_id=job.id),
                task_queue=self.settings.task_queue,
                static_summary=f"bulk {action} of {job.total} runs",
            )
        except BaseException:
            # Not started: no job, rather than one that stays "running" forever.
            await in_session(self.engine, forget_job, job_id=job.id)
            raise
        return job.id

    async def read(self, *, account_id: str, job_id: str) -> Job:
        return await in_session(self.engine, get_job, account_id=account_id, job_id=job_id)


def select_run_ids(session: Session, *, account_id: str, filter: dict[str, Any]) -> list[str]:
    """The ids of the account's runs ``filter`` selects, oldest first."""
    statement = select(Run.id).where(Run.account_id == account_id)
    if filter.get("workflow_id") is not None:
        statement = statement.where(Run.workflow_id == filter["workflow_id"])
    if filter.get("version") is not None:
        statement = statement.where(Run.version == filter["version"])
    if filter.get("status") is not None:
        statement = statement.where(Run.status == filter["status"])
    if filter.get("since") is not None:
        statement = statement.where(col(Run.created_at) >= _utc(filter["since"]))
    if filter.get("until") is not None:
        statement = statement.where(col(Run.created_at) < _utc(filter["until"]))
    if filter.get("event_name") is not None:
        named = select(Event.id).where(Event.account_id == account_id, Event.name == filter["event_name"])
        statement = statement.where(col(Run.event_id).in_(named))
    return list(session.exec(statement.order_by(col(Run.created_at), col(Run.id))).all())


def _utc(moment: datetime | str) -> datetime:
    """An aware moment (the stored filter holds it as ISO text)."""
    if isinstance(moment, str):
        moment = datetime.fromisoformat(moment)
    return moment.astimezone(UTC) if moment.tzinfo else moment.replace(tzinfo=UTC)


def record_job(session: Session, *, account_id: str, action: str, filter: dict[str, Any]) -> Job:
    run_ids = select_run_ids(session, account_id=account_id, filter=filter)
    stored = {
        k: (v.isoformat() if isinstance(v, datetime) else v) for k, v in filter.items() if v is not None
    }
    job = Job(
        id=str(uuid.uuid4()), account_id=account_id, action=action, filter=stored,
        run_ids=run_ids, total=len(run_ids),
    )  # fmt: skip
    session.add(job)
    session.commit()
    return job


def forget_job(session: Session, *, job_id: str) -> None:
    session.exec(delete(Job).where(col(Job.id) == job_id))
    session.commit()


def get_job(session: Session, *, account_id: str, job_id: str) -> Job:
    job = session.get(Job, job_id)
    if job is None or job.account_id != account_id:
        raise NotFound(f"job {job_id!r} does not exist")
    return job


@dataclass(frozen=True)
class Batch:
    run_ids: list[str]  # the job's run ids ``[offset, offset + size)``
    total: int
    created_at: datetime


def read_batch(session: Session, *, job_id: str, offset: int, size: int) -> Batch:
    job = session.get(Job, job_id)
    if job is None:
        raise NotFound(f"job {job_id!r} does not exist")
    return Batch(
        run_ids=job.run_ids[offset : offset + size], total=job.total, created_at=_utc(job.created_at)
    )


def rerun_since(session: Session, *, run_id: str, since: datetime) -> str | None:
    """A rerun of ``run_id`` recorded at or after ``since``: a retried batch's earlier try
    reran it already (a ``pending`` one is started by recovery)."""
    return session.exec(
        select(Run.id).where(Run.rerun_of == run_id, col(Run.created_at) >= since).limit(1)
    ).first()


def count_batch(session: Session, *, job_id: str, offset: int, done: int, failed: int) -> bool:
    """Add a batch's counts, once: batches run in order, so before the batch at ``offset``
    is counted ``done + failed == offset``; a retried batch finds it larger and adds nothing."""
    result = session.exec(
        update(Job)
        .where(col(Job.id) == job_id, col(Job.done) + col(Job.failed) == offset)
        .values(done=col(Job.done) + done, failed=col(Job.failed) + failed)
    )
    session.commit()
    return bool(result.rowcount)


def finish_job(session: Session, *, job_id: str, status: str) -> None:
    session.exec(
        update(Job)
        .where(col(Job.id) == job_id, col(Job.status) == "running")
        .values(status=status, ended_at=utcnow())
    )
    session.commit()


def record_job_replay(session: Session, *, account_id: str, job_id: str, run_id: str) -> RunStart:
    """A fresh run of ``run_id``'s workflow on its live version, same event and input.

    Its id follows from the job and the run, so a retried batch finds (and starts) the run
    it recorded before instead of recording another."""
    original = session.get(Run, run_id)
    if original is None or original.account_id != account_id:
        raise NotFound(f"run {run_id!r} does not exist")
    replay_id = str(uuid.uuid5(uuid.NAMESPACE_URL, f"relay:job:{job_id}:{run_id}"))
    recorded = session.get(Run, replay_id)
    if recorded is not None:
        # Recorded by an earlier try: start it again (harmless), from a detached copy that
        # carries the event for ``run_start`` while the stored row keeps none.
        again = Run.model_validate(recorded.model_dump() | {"event_id": original.event_id})
        return run_start(session, again)
    workflow = session.get(Workflow, original.workflow_id)
    if workflow is None or workflow.archived or workflow.live_version is None:
        raise Conflict(f"workflow {original.workflow_id!r} is archived or has no live version")
    run = Run(
        id=replay_id,
        account_id=account_id,
        workflow_id=workflow.id,
        version=workflow.live_version,
        event_id=original.event_id,  # so that run_start gives the run its event
        temporal_workflow_id=temporal_workflow_id(
            account_id=account_id, workflow_id=workflow.id, trigger=f"job-{job_id}-{run_id}"
        ),
        input=original.input,
        # ``running`` (not ``pending``): start-up recovery must not start it without its event.
        status="running",
    )
    start = run_start(session, run)
    # Intake's idempotency rests on one run per event and workflow: a replay carries no event id.
    run.event_id = None
    session.add(run)
    session.commit()
    return start
