"""Events: intake (record, start the runs they trigger, resume waiting runs), the event log,
replays. Events a crash or an unreachable Temporal left undispatched are handed on by the
sweeper (``relay.services.sweeper``) through ``EventService.dispatch``.

The database work is in ``intake`` and ``replay`` (sync, one transaction each); this
service runs it in a thread and does the Temporal calls around it.
"""

import asyncio
import logging
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import partial
from typing import Any

import structlog
from sqlalchemy import Engine, or_
from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from sqlmodel import Session, col, select
from temporalio.client import Client
from temporalio.service import RPCError, RPCStatusCode

from interpreter.contract import EventPayload
from relay.core.errors import Conflict, NotFound
from relay.core.settings import Settings
from relay.services import intake, pagination, replay, waiters
from relay.services import run_start as run_service
from relay.services.db import in_session
from relay.services.group_commit import GroupCommit
from relay.services.intake import Intake
from relay.services.replay import Replay
from relay.storage.tables import Event, Run, utcnow

log = logging.getLogger(__name__)

# How long ``POST /v1/events`` waits on Temporal before answering ``pending`` instead.
DISPATCH_DEADLINE = timedelta(seconds=2)
# How long intake answers ``pending`` without trying Temporal after it failed to answer.
UNREACHABLE_PAUSE = timedelta(seconds=5)


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
        # After Temporal failed to answer, intake does not wait on it again for a moment: the
        # events are recorded and answered ``pending`` at once; a successful dispatch resets it.
        self._unreachable_until = 0.0
        self._dispatch_marks = GroupCommit(partial(intake.mark_all_dispatched, engine))

    async def ingest(
        self,
        *,
        account_id: str,
        name: str,
        data: dict[str, Any],
        external_id: str | None = None,
        depth: int = 0,
    ) -> Intake:
        """``_ingest``, with the account's id on every line it writes, and one line saying
        what the event started (SPEC §7)."""
        with structlog.contextvars.bound_contextvars(account_id=account_id):
            intake = await self._ingest(
                account_id=account_id, name=name, data=data, external_id=external_id, depth=depth
            )
            log.info(
                "event recorded",
                extra={
                    "event_id": intake.event_id,
                    "event_name": name,
                    "runs": intake.runs,
                    "resumed": intake.resumed,
                    "pending": intake.pending,
                    **({"refused": intake.refused} if intake.refused else {}),
                },
            )
        return intake

    async def _ingest(
        self,
        *,
        account_id: str,
        name: str,
        data: dict[str, Any],
        external_id: str | None = None,
        depth: int = 0,
    ) -> Intake:
        """Record the event, start every live workflow it triggers, resume the runs waiting for
        it, mark it dispatched. A repeated ``external_id`` answers the same, starting nothing.

        Once the event is recorded the answer does not depend on Temporal: if it is unreachable
        or slow (over ``DISPATCH_DEADLINE``), the answer is ``pending`` and the sweeper hands
        the event on later. Only a database failure raises.
        """
        recorded = await asyncio.to_thread(
            intake.record_event,
            self.engine,
            account_id=account_id,
            name=name,
            data=data,
            external_id=external_id,
            depth=depth,
            max_depth=self.settings.max_event_depth,
        )
        if recorded.refused is not None:
            return Intake(event_id=recorded.event_id, runs=[], refused=recorded.refused)
        if recorded.dispatched:
            return Intake(
                event_id=recorded.event_id,
                runs=recorded.run_ids,
                resumed=recorded.resumed,
                started=recorded.started,
                skipped=recorded.skipped,
            )
        event = EventPayload(id=recorded.event_id, name=name, data=data, depth=recorded.depth)
        if time.monotonic() < self._unreachable_until:
            return await self._defer(recorded, error="Temporal was unreachable a moment ago")
        try:
            resumed = await self._hand_on(
                account_id=account_id, event=event, recorded=recorded, deadline=DISPATCH_DEADLINE
            )
        except Exception as exc:
            if isinstance(exc, SQLAlchemyError):
                raise  # the database is the one thing an accepted event needs
            if _unreachable(exc):
                self._unreachable_until = time.monotonic() + UNREACHABLE_PAUSE.total_seconds()
            # The event is durable: the sweeper finishes the job.
            return await self._defer(recorded, error=_short(exc))
        # Temporal answered: a slow answer a moment ago (a busy server) is no outage.
        self._unreachable_until = 0.0
        started = recorded.started
        return Intake(
            event_id=recorded.event_id,
            runs=recorded.run_ids,
            resumed=resumed,
            started=started,
            skipped=recorded.skipped,
        )

    async def _defer(self, recorded: intake.Recorded, *, error: str) -> Intake:
        log.warning("event %s recorded, dispatch left to the sweeper: %s", recorded.event_id, error)
        await asyncio.to_thread(
            intake.note_failure, self.engine, event_id=recorded.event_id, error=error, now=utcnow()
        )
        started = recorded.started
        return Intake(
            event_id=recorded.event_id,
            runs=recorded.run_ids,
            pending=True,
            started=started,
            skipped=recorded.skipped,
        )

    async def dispatch(self, *, event_id: str) -> bool:
        """Hand on one recorded event (start its pending runs, deliver it to waiting runs, mark it
        dispatched). False if it was dispatched already. The sweeper's unit of work."""
        found = await asyncio.to_thread(intake.recorded, self.engine, event_id=event_id)
        if found is None:
            return False
        row, recorded = found
        event = EventPayload(
            id=row.id,
            name=row.name,
            data=row.data,
            received_at=run_service.as_utc(row.received_at),
            depth=row.depth,
        )
        await self._hand_on(account_id=row.account_id, event=event, recorded=recorded)
        self._unreachable_until = 0.0  # Temporal answers again
        return True

    async def _hand_on(
        self,
        *,
        account_id: str,
        event: EventPayload,
        recorded: intake.Recorded,
        deadline: timedelta | None = None,
    ) -> int:
        """Start the event's runs, deliver it, mark it dispatched. ``deadline`` bounds each of
        the two Temporal parts (not the database work, which a busy process may queue)."""
        # Starting a run twice is a no-op (fixed workflow id); a waiting run drops a second
        # delivery of the same event id, so a sweeper racing this is harmless.
        async with asyncio.timeout(deadline.total_seconds() if deadline else None):
            await run_service.start_runs(self.temporal, recorded.starts, task_queue=self.settings.task_queue)
        resumed = (await self._deliver(account_id=account_id, event=event, deadline=deadline)).resumed
        # Concurrent events share the transaction that marks them (relay.services.group_commit).
        await self._dispatch_marks.submit(
            intake.Dispatched(event_id=recorded.event_id, run_ids=recorded.run_ids, resumed=resumed)
        )
        return resumed

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

    async def _deliver(
        self, *, account_id: str, event: EventPayload, deadline: timedelta | None = None
    ) -> waiters.Delivered:
        return await waiters.deliver(
            self.engine,
            client=self.temporal,
            account_id=account_id,
            event=event,
            task_queue=self.settings.task_queue,
            deadline=deadline,
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


def _short(exc: BaseException) -> str:
    """The kind of failure, without data: what ``event.dispatch_error`` keeps."""
    if isinstance(exc, TimeoutError):
        return f"Temporal did not answer within {DISPATCH_DEADLINE.total_seconds():g} s"
    return f"{type(exc).__name__}: {str(exc)[:200]}"


def _unreachable(exc: BaseException) -> bool:
    """Temporal cannot be reached (as opposed to refusing this one event)."""
    if isinstance(exc, RPCError):
        return exc.status in (RPCStatusCode.UNAVAILABLE, RPCStatusCode.DEADLINE_EXCEEDED)
    # The lazy client's connection failure is a RuntimeError.
    return isinstance(exc, TimeoutError | RuntimeError) and not isinstance(exc, RecursionError)
