"""Event intake's database side: record an event and the runs it triggers in one transaction.

``EventService.ingest`` (``relay.services.events``) runs it, then starts the runs. Posting
the same event id again, even concurrently, answers the same and starts nothing twice: the
database's unique (account, external id) decides which request records the event, and every
run has a fixed Temporal workflow id, so a repeated start is a no-op. Events whose runs were recorded but
not started (a crash in between, Temporal unreachable) are picked up by the sweeper
(``relay.services.sweeper``), which claims each with a lease (``claim``) and records a failed
try with backoff (``note_failure``), so one event that cannot be dispatched holds up no other.

An event emitted by a run carries its chain depth; one deeper than ``RELAY_MAX_EVENT_DEPTH``
is recorded with the reason (``refused``) and dispatched at once: it starts and resumes nothing.
"""

import logging
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Engine, or_, tuple_, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from interpreter import expressions
from relay.core.errors import Conflict
from relay.services import flow_control
from relay.services import run_start as run_service
from relay.storage.db import writes_serialised
from relay.storage.tables import Event, Run, Workflow, WorkflowVersion

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class StartedRun:
    """A run an event started, with the workflow and version it runs."""

    run_id: str
    workflow_id: str
    version: int

    @classmethod
    def of(cls, run: Run) -> "StartedRun":
        return cls(run_id=run.id, workflow_id=run.workflow_id, version=run.version)


@dataclass(frozen=True)
class Intake:
    """The answer to an event: its id, the runs it started, the waiting runs it resumed."""

    event_id: str
    runs: list[str]
    resumed: int = 0
    # Recorded, but its runs are not started yet (Temporal unreachable): the sweeper will.
    pending: bool = False
    # Why the event started nothing (its chain is too deep), else None.
    refused: str | None = None
    # ``runs`` with their workflow and version, in the same order.
    started: list[StartedRun] = field(default_factory=list)
    # Workflows not started because their trigger.if failed on the event: workflow_id, reason.
    skipped: list[dict[str, str]] = field(default_factory=list)


@dataclass(frozen=True)
class Recorded:
    event_id: str
    run_ids: list[str]
    # Runs still to be started; empty once the event is dispatched.
    starts: list[run_service.RunStart]
    dispatched: bool = False
    resumed: int = 0
    refused: str | None = None
    depth: int = 0
    started: list[StartedRun] = field(default_factory=list)
    skipped: list[dict[str, str]] = field(default_factory=list)


# Backoff of the sweeper's retries of an event that failed to dispatch: 5 s, 10 s, … 5 min.
RETRY_FIRST = timedelta(seconds=5)
RETRY_CAP = timedelta(minutes=5)


def too_deep(depth: int, *, max_depth: int) -> str | None:
    """Why an event of this chain depth starts nothing, or None when it may."""
    if depth <= max_depth:
        return None
    return f"event chain depth {depth} exceeds RELAY_MAX_EVENT_DEPTH ({max_depth})"


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
    depth: int = 0,
    max_depth: int = 8,
) -> Recorded:
    """Write the event and one pending Run per matching live workflow, atomically.

    A repeated ``external_id`` returns what the first request recorded instead. An event
    deeper than ``max_depth`` is written refused and dispatched, with no run.
    """
    refused = too_deep(depth, max_depth=max_depth)
    if external_id is None:
        event_id = uuid.uuid4().hex
        external_id = event_id
    else:
        event_id = event_key(account_id=account_id, external_id=external_id)
    triggered: list[Workflow] = []
    skipped: list[dict[str, str]] = []
    if refused is None:
        # Conditions first, outside the write lock (one writer at a time on SQLite): a
        # trigger.if may cost up to the intake budget, and no other event waits on it. A
        # workflow published in these milliseconds is seen by the next event.
        with Session(engine) as session:
            workflows = session.exec(
                select(Workflow).where(
                    Workflow.account_id == account_id,
                    Workflow.trigger_event == name,
                    col(Workflow.archived).is_(False),
                    col(Workflow.live_version).is_not(None),
                )
            ).all()
            event = {"id": event_id, "name": name, "data": data}
            triggered, skipped = _triggered(session, workflows, event=event)
    try:
        with writes_serialised(engine), Session(engine) as session:
            # Inserted first: the write takes the lock (SQLite) or waits on a concurrent
            # insert of the same key (PostgreSQL), so exactly one request gets past here.
            session.add(
                Event(
                    id=event_id,
                    account_id=account_id,
                    external_id=external_id,
                    name=name,
                    data=data,
                    depth=depth,
                    refused=refused,
                    # A refused event has nothing to hand on: the sweeper must not pick it up.
                    dispatched=refused is not None,
                    skipped=skipped or None,
                )
            )
            session.flush()
            if refused is not None:
                session.commit()
                return Recorded(
                    event_id=event_id, run_ids=[], starts=[], dispatched=True, refused=refused, depth=depth
                )
            runs = [_event_run(w, event_id=event_id) for w in triggered]
            session.add_all(runs)
            session.flush()
            starts = [run_service.run_start(session, run) for run in runs]
            run_ids = sorted(run.id for run in runs)
            started = sorted((StartedRun.of(run) for run in runs), key=lambda s: s.run_id)
            session.commit()
    except IntegrityError as exc:
        return _recorded_before(engine, account_id=account_id, external_id=external_id, name=name, error=exc)
    return Recorded(
        event_id=event_id, run_ids=run_ids, starts=starts, depth=depth, started=started, skipped=skipped
    )


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


def _triggered(
    session: Session, workflows: Sequence[Workflow], *, event: dict[str, Any]
) -> tuple[list[Workflow], list[dict[str, str]]]:
    """The workflows whose live version's ``trigger.if`` holds for ``event`` (or that have none),
    and those whose condition failed on it, with the reason.

    A condition that cannot be evaluated on this event (an error, or over the API's expression
    budget: ``expressions.evaluate_at_intake``) does not hold: nothing starts, the event
    records why (``Event.skipped``), and the other workflows are not held up.
    """
    if not workflows:
        return [], []
    live = session.exec(
        select(WorkflowVersion.workflow_id, WorkflowVersion.compiled).where(
            tuple_(WorkflowVersion.workflow_id, WorkflowVersion.version).in_(
                [(w.id, w.live_version) for w in workflows]
            )
        )
    ).all()
    conditions = {workflow_id: (compiled.get("trigger") or {}).get("if") for workflow_id, compiled in live}
    triggered, skipped = [], []
    for workflow in workflows:
        condition = conditions.get(workflow.id)
        if condition is None:
            triggered.append(workflow)
            continue
        try:
            if expressions.truthy(expressions.evaluate_at_intake(condition, {"event": event})):
                triggered.append(workflow)
        except Exception as exc:  # the author's expression: it must not stop the other workflows
            log.warning("trigger.if of workflow %s failed on event %s: %s", workflow.id, event["id"], exc)
            skipped.append({"workflow_id": workflow.id, "reason": f"trigger.if failed: {exc}"[:1000]})
    return triggered, skipped


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
        return _left_to_do(session, event)


@dataclass(frozen=True)
class Dispatched:
    """An event whose runs are all in Temporal, and how many waiting runs it resumed."""

    event_id: str
    run_ids: list[str]
    resumed: int = 0


def mark_dispatched(engine: Engine, *, event_id: str, run_ids: list[str], resumed: int = 0) -> None:
    """Every run of the event is in Temporal: note it on the runs and on the event."""
    mark_all_dispatched(engine, [Dispatched(event_id=event_id, run_ids=run_ids, resumed=resumed)])


def mark_all_dispatched(engine: Engine, marks: Sequence[Dispatched]) -> None:
    """``mark_dispatched`` for several events in one transaction (intake's group commit)."""
    with writes_serialised(engine), Session(engine) as session:
        run_ids = [run_id for mark in marks for run_id in mark.run_ids]
        if run_ids:
            session.exec(
                update(Run)
                .where(col(Run.id).in_(run_ids), col(Run.status) == "pending")
                .values(status="running")
            )
            flow_control.mark_gated(session, run_ids)  # queued runs: their gate has them
        for mark in marks:
            session.exec(
                update(Event)
                .where(col(Event.id) == mark.event_id, col(Event.dispatched).is_(False))
                .values(dispatched=True, resumed=mark.resumed)
            )
        session.commit()


def due_events(engine: Engine, *, cutoff: datetime, now: datetime, limit: int) -> list[str]:
    """Ids of events recorded before ``cutoff`` and not yet dispatched whose retry is due."""
    with Session(engine) as session:
        return list(
            session.exec(
                select(Event.id)
                .where(
                    col(Event.dispatched).is_(False),
                    col(Event.received_at) <= cutoff,
                    or_(col(Event.next_dispatch_at).is_(None), col(Event.next_dispatch_at) <= now),
                )
                .order_by(col(Event.received_at))
                .limit(limit)
            ).all()
        )


def claim(engine: Engine, *, event_id: str, now: datetime, lease: timedelta) -> bool:
    """Take the event for ``lease``: True for exactly one of several processes sweeping at once."""
    with Session(engine) as session:
        result = session.exec(
            update(Event)
            .where(
                col(Event.id) == event_id,
                col(Event.dispatched).is_(False),
                or_(col(Event.next_dispatch_at).is_(None), col(Event.next_dispatch_at) <= now),
            )
            .values(next_dispatch_at=now + lease)
        )
        session.commit()
        return bool(result.rowcount == 1)


def note_failure(engine: Engine, *, event_id: str, error: str, now: datetime) -> int:
    """Record a failed try at dispatching the event and when to try again; returns the tries so far."""
    with Session(engine) as session:
        event = session.get(Event, event_id)
        if event is None or event.dispatched:
            return 0
        event.dispatch_attempts += 1
        event.dispatch_error = error[:300]
        event.next_dispatch_at = now + min(RETRY_FIRST * 2 ** (event.dispatch_attempts - 1), RETRY_CAP)
        session.add(event)
        session.commit()
        return event.dispatch_attempts


def recorded(engine: Engine, *, event_id: str) -> tuple[Event, Recorded] | None:
    """An undispatched event and what is left to do for it, or None once it is dispatched."""
    with Session(engine) as session:
        event = session.get(Event, event_id)
        if event is None or event.dispatched:
            return None
        left = _left_to_do(session, event)
        session.expunge(event)
        return event, left


def _left_to_do(session: Session, event: Event) -> Recorded:
    """A recorded event, its runs, and the starts still to make (none once it is dispatched)."""
    runs = session.exec(select(Run).where(Run.event_id == event.id).order_by(col(Run.id))).all()
    # Queued runs no gate has acknowledged yet are handed on again (relay.services.flow_control).
    pending = [] if event.dispatched else [r for r in runs if _not_handed_on(r)]
    return Recorded(
        event_id=event.id,
        run_ids=[run.id for run in runs],
        starts=[run_service.run_start(session, run) for run in pending],
        dispatched=event.dispatched,
        resumed=event.resumed,
        refused=event.refused,
        depth=event.depth,
        started=[StartedRun.of(run) for run in runs],
        skipped=event.skipped or [],
    )


def _not_handed_on(run: Run) -> bool:
    return run.status == "pending" or (run.status == "queued" and run.gated_at is None)


def stale_pending_runs(engine: Engine, *, cutoff: datetime, limit: int) -> list[str]:
    """Runs recorded before ``cutoff`` and still not started whose event (if any) is dispatched:
    the others are started with their event."""
    with Session(engine) as session:
        return list(
            session.exec(
                select(Run.id)
                .outerjoin(Event, col(Event.id) == col(Run.event_id))
                .where(
                    col(Run.status) == "pending",
                    col(Run.created_at) <= cutoff,
                    or_(col(Run.event_id).is_(None), col(Event.dispatched).is_(True)),
                )
                .order_by(col(Run.created_at))
                .limit(limit)
            ).all()
        )

