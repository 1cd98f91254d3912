"""Replaying an event: fresh runs of the workflows it triggered, on their live versions now.

The database side of ``EventService.replay``. For when a run failed and the workflow has
been fixed since. Every call is a new replay, not an idempotent one: replay ``n`` is one
more than the event's replays so far, with new run ids and Temporal workflow ids
``relay-{account}-{workflow}-evt-{event}-replay-{n}``.
The runs see the original event (``event.id`` included) and carry its ``RelayEvent``
search attribute. Triggers are not matched again (the workflows are those the event
started runs of), and waiting runs are not signalled again; archived workflows are skipped.

A replay's Run rows do not carry the event's id, because intake's idempotency rests on one
run per event and workflow; ``GET /v1/events/{id}`` lists them as ``replays``. They are
written as ``running`` before they start, so start-up recovery (which starts ``pending``
runs from their rows) cannot start one without its event; a row Temporal refused is removed.
"""

import uuid
from dataclasses import dataclass, replace

from sqlalchemy import Engine, delete
from sqlmodel import Session, col, select

from relay.core.errors import Conflict
from relay.services import run_start as run_service
from relay.storage.tables import Event, Run, Workflow

# Concurrent replays of one event race for the next number; the loser takes the one after.
ATTEMPTS = 5


@dataclass(frozen=True)
class Replay:
    event_id: str
    replay: int
    runs: list[str]


def replay_runs(session: Session, *, event: Event) -> list[Run]:
    """The runs replays of ``event`` started, oldest first."""
    statement = (
        select(Run)
        .where(
            Run.account_id == event.account_id,
            col(Run.event_id).is_(None),
            col(Run.temporal_workflow_id).like(f"relay-{event.account_id}-%-evt-{event.id}-replay-%"),
        )
        .order_by(col(Run.created_at), col(Run.id))
    )
    return list(session.exec(statement).all())


def record_replay(engine: Engine, *, event: Event) -> tuple[int, list[run_service.RunStart]]:
    with Session(engine) as session:
        workflows = _replayable(session, event=event)
        number = 1 + max((_number(r) for r in replay_runs(session, event=event)), default=0)
        starts = []
        for workflow in workflows:
            assert workflow.live_version is not None  # selected for it
            run = Run(
                id=str(uuid.uuid4()),
                account_id=event.account_id,
                workflow_id=workflow.id,
                version=workflow.live_version,
                event_id=event.id,  # so that run_start gives the run its event
                temporal_workflow_id=run_service.temporal_workflow_id(
                    account_id=event.account_id,
                    workflow_id=workflow.id,
                    trigger=f"evt-{event.id}-replay-{number}",
                ),
                status="running",
            )
            start = run_service.run_start(session, run)
            run.event_id = None
            session.add(run)
            starts.append(replace(start, summary=f"{start.summary} · replay {number}"))
        session.commit()
        return number, starts


def _replayable(session: Session, *, event: Event) -> list[Workflow]:
    triggered = session.exec(select(Run.workflow_id).where(Run.event_id == event.id).distinct()).all()
    if not triggered:
        raise Conflict(f"event {event.id!r} started no runs: there is nothing to replay")
    workflows = session.exec(
        select(Workflow)
        .where(
            col(Workflow.id).in_(list(triggered)),
            col(Workflow.archived).is_(False),
            col(Workflow.live_version).is_not(None),
        )
        .order_by(col(Workflow.id))
    ).all()
    if not workflows:
        raise Conflict(f"every workflow event {event.id!r} started is archived: there is nothing to replay")
    return list(workflows)


def _number(run: Run) -> int:
    return int(run.temporal_workflow_id.rsplit("-", 1)[1])


def forget_runs(engine: Engine, *, run_ids: list[str]) -> None:
    with Session(engine) as session:
        session.exec(delete(Run).where(col(Run.id).in_(run_ids)))
        session.commit()
