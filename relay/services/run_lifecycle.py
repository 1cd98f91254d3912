"""A run's lifecycle written to its Run row, as the run itself reports it (``relay.record_run``).

The one place "a run started" and "a run ended" reach the database: nothing reading runs
writes them. Both writes are idempotent, because the activity that makes them is retried.
"""

import logging
import uuid
from typing import Any

from sqlalchemy import update
from sqlmodel import Session, col, select

from interpreter.contract import RunRecord
from relay.services.run_start import TERMINAL
from relay.services.subscribe import subscribe
from relay.storage.subscriptions import RunSubscription
from relay.storage.tables import Run, Workflow, WorkflowVersion, utcnow

log = logging.getLogger(__name__)


def adopted_run_id(temporal_workflow_id: str) -> str:
    """The id of a run Relay did not record before it started (a schedule's fire)."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"relay:scheduled:{temporal_workflow_id}"))


def record_started(session: Session, *, record: RunRecord, temporal_workflow_id: str) -> str:
    """``pending`` → ``running``; a run with no row yet (a scheduled fire) gets its row and its
    subscriptions now. Returns Relay's run id."""
    run = _by_temporal_id(session, temporal_workflow_id)
    if run is None:
        run = _adopt(session, record=record, temporal_workflow_id=temporal_workflow_id)
        if run is None:
            return record.run_id
    else:
        # Conditional in SQL: a late start recording (its activity was cancelled while it ran)
        # must never overwrite the ending another transaction wrote meanwhile.
        session.exec(
            update(Run).where(col(Run.id) == run.id, col(Run.status) == "pending").values(status="running")
        )
    session.commit()
    return run.id


def record_ended(session: Session, *, record: RunRecord, temporal_workflow_id: str) -> None:
    """Store the final status, output, error and steps (the first ending wins) and close the
    run's subscriptions, so no event is routed to it any more."""
    # A scheduled fire cancelled before its start was recorded gets its row now.
    run = _by_temporal_id(session, temporal_workflow_id) or _adopt(
        session, record=record, temporal_workflow_id=temporal_workflow_id
    )
    if run is None:
        return
    steps = [step.model_dump(mode="json") for step in record.steps]
    write_end(session, run, status=record.status, output=record.output, error=record.error, steps=steps)
    session.commit()


def write_end(
    session: Session, run: Run, *, status: str, output: Any, error: str | None, steps: list[dict[str, Any]]
) -> None:
    """The run's ending, unless one was written before (decided in SQL, so concurrent writers
    cannot both win); its subscriptions close either way."""
    session.exec(
        update(Run)
        .where(col(Run.id) == run.id, col(Run.status).not_in(TERMINAL))
        .values(status=status, output=output, error=error, steps=steps, ended_at=utcnow())
    )
    session.exec(update(RunSubscription).where(col(RunSubscription.run_id) == run.id).values(open=False))


def _by_temporal_id(session: Session, temporal_workflow_id: str) -> Run | None:
    return session.exec(select(Run).where(Run.temporal_workflow_id == temporal_workflow_id)).first()


def _adopt(session: Session, *, record: RunRecord, temporal_workflow_id: str) -> Run | None:
    workflow = session.get(Workflow, record.workflow_id)
    if workflow is None or workflow.account_id != record.account_id:
        log.warning("run %s names workflow %s, not one of its account", record.run_id, record.workflow_id)
        return None
    run = Run(
        id=adopted_run_id(temporal_workflow_id),
        account_id=record.account_id,
        workflow_id=record.workflow_id,
        version=record.version,
        temporal_workflow_id=temporal_workflow_id,
        input=record.input,
        status="running",
    )
    session.add(run)
    session.flush()
    version = session.exec(
        select(WorkflowVersion).where(
            WorkflowVersion.workflow_id == run.workflow_id, WorkflowVersion.version == run.version
        )
    ).one()
    subscribe(session, run=run, compiled=version.compiled, trigger=None)
    return run
