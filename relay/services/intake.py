"""Event intake's database side: record an event and the runs it triggers in one transaction.

``EventService.ingest`` (``relay.services.events``) runs it, then starts the runs. Posting
the same event id again, even concurrently, answers the same and starts nothing twice: the
database's unique (account, external id) decides which request records the event, and every
run has a fixed Temporal workflow id, so a repeated start is a no-op. Events whose runs were recorded but
not started (a crash in between) are picked up by ``EventService.recover``.
"""

import logging
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Engine, tuple_, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from interpreter import expressions
from relay.core.errors import Conflict
from relay.services import run_start as run_service
from relay.storage.tables import Event, Run, Workflow, WorkflowVersion

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Intake:
    """The answer to an event: its id, the runs it started, the waiting runs it resumed."""

    event_id: str
    runs: list[str]
    resumed: int = 0


@dataclass(frozen=True)
class Recorded:
    event_id: str
    run_ids: list[str]
    # Runs still to be started; empty once the event is dispatched.
    starts: list[run_service.RunStart]
    dispatched: bool = False
    resumed: int = 0


def event_key(*, account_id: str, external_id: str) -> str:
    """The event id for a caller-given id: the same id always maps to the same event."""
    return uuid.uuid5(uuid.NAMESPACE_URL, f"relay:event:{account_id}:{external_id}").hex


def record_event(
    engine: Engine,
    *,
    account_id: str,
    name: str,
    data: dict[str, Any],
    external_id: str | None = None,
) -> Recorded:
    """Write the event and one pending Run per matching live workflow, atomically.

    A repeated ``external_id`` returns what the first request recorded instead.
    """
    if external_id is None:
        event_id = uuid.uuid4().hex
        external_id = event_id
    else:
        event_id = event_key(account_id=account_id, external_id=external_id)
    try:
        with Session(engine) as session:
            # Inserted first: the write takes the lock (SQLite) or waits on a concurrent
            # insert of the same key (PostgreSQL), so exactly one request gets past here.
            session.add(
                Event(id=event_id, account_id=account_id, external_id=external_id, name=name, data=data)
            )
            session.flush()
            workflows = session.exec(
                select(Workflow).where(
                    Workflow.account_id == account_id,
                    Workflow.trigger_event == name,
                    col(Workflow.archived).is_(False),
                    col(Workflow.live_version).is_not(None),
                )
            ).all()
            event = {"id": event_id, "name": name, "data": data}
            runs = [_event_run(w, event_id=event_id) for w in _triggered(session, workflows, event=event)]
            session.add_all(runs)
            session.flush()
            starts = [run_service.run_start(session, run) for run in runs]
            run_ids = sorted(run.id for run in runs)
            session.commit()
    except IntegrityError as exc:
        return _recorded_before(engine, account_id=account_id, external_id=external_id, name=name, error=exc)
    return Recorded(event_id=event_id, run_ids=run_ids, starts=starts)


def _event_run(workflow: Workflow, *, event_id: str) -> Run:
    run_id = run_service.event_run_id(event_id=event_id, workflow_id=workflow.id)
    assert workflow.live_version is not None  # selected for it
    return Run(
        id=run_id,
        account_id=workflow.account_id,
        workflow_id=workflow.id,
        version=workflow.live_version,
        event_id=event_id,
        temporal_workflow_id=run_service.temporal_workflow_id(
            account_id=workflow.account_id, workflow_id=workflow.id, trigger=f"evt-{event_id}"
        ),
    )


def _triggered(session: Session, workflows: Sequence[Workflow], *, event: dict[str, Any]) -> list[Workflow]:
    """The workflows whose live version's ``trigger.if`` holds for ``event`` (or that have none).

    A condition that cannot be evaluated on this event does not hold: logged, nothing starts.
    """
    if not workflows:
        return []
    live = session.exec(
        select(WorkflowVersion.workflow_id, WorkflowVersion.compiled).where(
            tuple_(WorkflowVersion.workflow_id, WorkflowVersion.version).in_(
                [(w.id, w.live_version) for w in workflows]
            )
        )
    ).all()
    conditions = {workflow_id: (compiled.get("trigger") or {}).get("if") for workflow_id, compiled in live}
    return [w for w in workflows if _holds(conditions.get(w.id), event, workflow_id=w.id)]


def _holds(condition: str | None, event: dict[str, Any], *, workflow_id: str) -> bool:
    if condition is None:
        return True
    try:
        return expressions.truthy(expressions.evaluate(condition, {"event": event}))
    except Exception as exc:  # the author's expression: it must not stop the other workflows
        log.warning("trigger.if of workflow %s failed on event %s: %s", workflow_id, event["id"], exc)
        return False


def _recorded_before(
    engine: Engine, *, account_id: str, external_id: str, name: str, error: IntegrityError
) -> Recorded:
    with Session(engine) as session:
        event = session.exec(
            select(Event).where(Event.account_id == account_id, Event.external_id == external_id)
        ).first()
        if event is None:  # the integrity error was about something else
            raise error
        if event.name != name:
            raise Conflict(
                f"event id {external_id!r} was already used for an event named {event.name!r}",
                field="id",
            )
        runs = session.exec(select(Run).where(Run.event_id == event.id).order_by(col(Run.id))).all()
        pending = [] if event.dispatched else [r for r in runs if r.status == "pending"]
        return Recorded(
            event_id=event.id,
            run_ids=[run.id for run in runs],
            starts=[run_service.run_start(session, run) for run in pending],
            dispatched=event.dispatched,
            resumed=event.resumed,
        )


def mark_dispatched(engine: Engine, *, event_id: str, run_ids: list[str], resumed: int = 0) -> None:
    """Every run of the event is in Temporal: note it on the runs and on the event."""
    with Session(engine) as session:
        if run_ids:
            session.exec(
                update(Run)
                .where(col(Run.id).in_(run_ids), col(Run.status) == "pending")
                .values(status="running")
            )
        session.exec(
            update(Event)
            .where(col(Event.id) == event_id, col(Event.dispatched).is_(False))
            .values(dispatched=True, resumed=resumed)
        )
        session.commit()


def undispatched(engine: Engine, *, cutoff: datetime) -> list[Event]:
    """Events recorded but not fully handed on: their waiters may not have been told."""
    with Session(engine) as session:
        return list(
            session.exec(
                select(Event)
                .where(col(Event.dispatched).is_(False), col(Event.received_at) <= cutoff)
                .order_by(col(Event.received_at))
            ).all()
        )


def pending_starts(engine: Engine) -> list[run_service.RunStart]:
    with Session(engine) as session:
        pending = session.exec(select(Run).where(Run.status == "pending").order_by(col(Run.created_at))).all()
        return [run_service.run_start(session, run) for run in pending]


def mark_all_dispatched(engine: Engine, *, cutoff: datetime) -> None:
    with Session(engine) as session:
        session.exec(
            update(Event)
            .where(col(Event.dispatched).is_(False), col(Event.received_at) <= cutoff)
            .values(dispatched=True)
        )
        session.commit()
