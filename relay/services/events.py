"""Events: intake (record, start the runs they trigger, resume waiting runs), the event log,
replays, and start-up recovery of events a crash left half-handled.

The database work is in ``intake`` and ``replay`` (sync, one transaction each); this
service runs it in a thread and does the Temporal calls around it.
"""

import asyncio
import logging
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine, or_
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select
from temporalio.client import Client

from interpreter.contract import EventPayload
from relay.core.errors import Conflict, NotFound
from relay.core.settings import Settings
from relay.services import intake, pagination, replay, waiters
from relay.services import run_start as run_service
from relay.services.db import in_session
from relay.services.intake import Intake
from relay.services.replay import Replay
from relay.storage.tables import Event, Run, utcnow

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class EventRecord:
    """An event with the runs it started and those its replays started."""

    event: Event
    runs: list[str]
    replays: list[str]


class EventService:
    def __init__(self, *, engine: Engine, temporal: Client, settings: Settings) -> None:
        self.engine = engine
        self.temporal = temporal
        self.settings = settings

    async def ingest(
        self, *, account_id: str, name: str, data: dict[str, Any], external_id: str | None = None
    ) -> Intake:
        """Record the event, start every live workflow it triggers, resume the runs waiting for
        it, mark it dispatched. A repeated ``external_id`` answers the same, starting nothing."""
        recorded = await asyncio.to_thread(
            intake.record_event,
            self.engine,
            account_id=account_id,
            name=name,
            data=data,
            external_id=external_id,
        )
        resumed = 0
        if not recorded.dispatched:
            await run_service.start_runs(self.temporal, recorded.starts, task_queue=self.settings.task_queue)
            event = EventPayload(id=recorded.event_id, name=name, data=data)
            resumed = (await self._deliver(account_id=account_id, event=event)).resumed
            await asyncio.to_thread(
                intake.mark_dispatched,
                self.engine,
                event_id=recorded.event_id,
                run_ids=recorded.run_ids,
                resumed=resumed,
            )
        return Intake(event_id=recorded.event_id, runs=recorded.run_ids, resumed=resumed or recorded.resumed)

    async def list_page(
        self, *, account_id: str, name: str | None, since: datetime | None, limit: int, cursor: str | None
    ) -> tuple[list[Event], str | None]:
        """The account's events, newest first."""
        return await in_session(
            self.engine,
            list_events,
            account_id=account_id,
            name=name,
            since=since,
            limit=limit,
            cursor=cursor,
        )

    async def get(self, *, account_id: str, event_id: str) -> EventRecord:
        """The event, by Relay's id or the product's, with the runs it and its replays started."""
        return await in_session(self.engine, event_record, account_id=account_id, event_id=event_id)

    async def replay(self, *, account_id: str, event_id: str) -> Replay:
        """Start replay ``n`` of the event (see ``relay.services.replay``)."""
        event = await in_session(self.engine, get_event, account_id=account_id, event_id=event_id)
        for _attempt in range(replay.ATTEMPTS):
            try:
                number, starts = await asyncio.to_thread(replay.record_replay, self.engine, event=event)
                break
            except IntegrityError:
                continue
        else:
            raise Conflict(f"event {event.id!r} is being replayed concurrently; try again")
        task_queue = self.settings.task_queue
        outcomes = await asyncio.gather(
            *(run_service.start_run(self.temporal, s, task_queue=task_queue) for s in starts),
            return_exceptions=True,
        )
        refused = [
            s.input.run_id for s, o in zip(starts, outcomes, strict=True) if isinstance(o, BaseException)
        ]
        if refused:
            await asyncio.to_thread(replay.forget_runs, self.engine, run_ids=refused)
            raise next(o for o in outcomes if isinstance(o, BaseException))
        return Replay(event_id=event.id, replay=number, runs=sorted(s.input.run_id for s in starts))

    async def recover(self) -> int:
        """Start every run recorded but never started, then hand on older undispatched events.

        Run at API start-up: a crash between recording and starting loses nothing. Returns
        how many runs were (re)started.
        """
        cutoff = utcnow()
        starts = await asyncio.to_thread(intake.pending_starts, self.engine)
        if starts:
            log.info("starting %d run(s) recorded before a restart", len(starts))
            await run_service.start_runs(self.temporal, starts, task_queue=self.settings.task_queue)
            await asyncio.to_thread(
                run_service.mark_started, self.engine, run_ids=[s.input.run_id for s in starts]
            )
        for event in await asyncio.to_thread(intake.undispatched, self.engine, cutoff=cutoff):
            await self._deliver(
                account_id=event.account_id, event=EventPayload(id=event.id, name=event.name, data=event.data)
            )
        await asyncio.to_thread(intake.mark_all_dispatched, self.engine, cutoff=cutoff)
        return len(starts)

    async def _deliver(self, *, account_id: str, event: EventPayload) -> waiters.Delivered:
        return await waiters.deliver(
            self.engine,
            client=self.temporal,
            account_id=account_id,
            event=event,
            task_queue=self.settings.task_queue,
        )


def list_events(
    session: Session,
    *,
    account_id: str,
    name: str | None,
    since: datetime | None,
    limit: int,
    cursor: str | None,
) -> tuple[list[Event], str | None]:
    statement = select(Event).where(Event.account_id == account_id)
    if name is not None:
        statement = statement.where(Event.name == name)
    if since is not None:
        statement = statement.where(col(Event.received_at) >= _stored(since))
    statement = pagination.newest_first(
        statement, created_at=Event.received_at, row_id=Event.id, cursor=cursor, limit=limit
    )
    rows = session.exec(statement).all()
    return pagination.split(rows, limit=limit, key=lambda e: (e.received_at, e.id))


def get_event(session: Session, *, account_id: str, event_id: str) -> Event:
    """The account's event, by Relay's id or by the id the product gave it."""
    event = session.exec(
        select(Event).where(
            Event.account_id == account_id,
            or_(col(Event.id) == event_id, col(Event.external_id) == event_id),
        )
    ).first()
    if event is None:
        raise NotFound(f"event {event_id!r} does not exist")
    return event


def event_record(session: Session, *, account_id: str, event_id: str) -> EventRecord:
    event = get_event(session, account_id=account_id, event_id=event_id)
    started = session.exec(select(Run.id).where(Run.event_id == event.id).order_by(col(Run.id))).all()
    replays = [run.id for run in replay.replay_runs(session, event=event)]
    return EventRecord(event=event, runs=list(started), replays=replays)


def _stored(moment: datetime) -> datetime:
    # A ``since`` without an offset is read as UTC, as every stored time is.
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
