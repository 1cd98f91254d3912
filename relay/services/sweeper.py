"""The sweeper: hands on what intake recorded but could not dispatch, from any live process.

An event is recorded before its runs start; a crash in between, or Temporal unreachable,
leaves it undispatched. Every API and worker process runs ``Sweeper.run`` in the background:
every ``RELAY_SWEEP_INTERVAL`` it picks undispatched events older than ``GRACE`` (younger ones
are still being handled by the request that recorded them) and pending runs of dispatched
events (or of none), and dispatches each on its own:

- an event is claimed with a lease first (``intake.claim``), so several processes do not work
  on the same one; should two still do (a lease that ran out), nothing doubles: a run's
  workflow id is fixed and a waiting run drops a second delivery of the same event id;
- a failure is recorded on the event (``dispatch_attempts``, ``dispatch_error``) with an
  exponential backoff (``intake.note_failure``) and never holds up the other events.
"""

import asyncio
import logging
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import Engine

from relay.services import flow_control, intake
from relay.services import run_start as run_service
from relay.services.events import EventService
from relay.storage.tables import utcnow

log = logging.getLogger(__name__)

# Events and runs younger than this are left to the request that is recording them.
GRACE = timedelta(seconds=3)
# How long a claimed event is this process's: longer than one dispatch may take.
LEASE = timedelta(seconds=30)
# How long a process's start may wait for its first sweep.
START_UP_BUDGET = timedelta(seconds=10)
# One event's dispatch may take this long before it counts as failed.
DISPATCH_TIMEOUT = timedelta(seconds=20)
# Events and runs handed on per sweep, and at once.
BATCH = 500
CONCURRENCY = 10


@dataclass(frozen=True)
class Swept:
    dispatched: int = 0
    failed: int = 0
    started: int = 0

    def __bool__(self) -> bool:
        return bool(self.dispatched or self.failed or self.started)


class Sweeper:
    def __init__(self, events: EventService, *, interval: float, grace: timedelta = GRACE) -> None:
        self.events = events
        self.engine: Engine = events.engine
        self.interval = interval
        self.grace = grace

    async def start_up(self) -> Swept:
        """The sweep a process makes as it starts: everything a previous process left, however
        recent, within ``START_UP_BUDGET`` (Temporal down must not hold up the start)."""
        try:
            async with asyncio.timeout(START_UP_BUDGET.total_seconds()):
                return await self.sweep(grace=timedelta(0))
        except Exception as exc:  # the process still starts; the periodic sweeps go on
            log.warning("start-up sweep did not finish: %s", _short(exc))
            return Swept()

    async def run(self, *, start_up: bool = False) -> None:
        """Sweep every ``interval`` seconds until cancelled (first the start-up sweep, if asked).
        A failed sweep (the database unreachable, say) is logged and the next one tries again."""
        if start_up:
            await self.start_up()
        while True:
            await asyncio.sleep(self.interval)
            try:
                await self.sweep()
            except Exception:
                log.exception("sweep failed; trying again in %g s", self.interval)

    async def sweep(self, *, grace: timedelta | None = None) -> Swept:
        """One pass: dispatch every due undispatched event, start every stale pending run."""
        now = utcnow()
        cutoff = now - (self.grace if grace is None else grace)
        due = await asyncio.to_thread(intake.due_events, self.engine, cutoff=cutoff, now=now, limit=BATCH)
        gate = asyncio.Semaphore(CONCURRENCY)
        outcomes = await asyncio.gather(*(self._event(event_id, gate) for event_id in due))
        runs = await asyncio.to_thread(intake.stale_pending_runs, self.engine, cutoff=cutoff, limit=BATCH)
        started = await asyncio.gather(*(self._run(run_id, gate) for run_id in runs))
        # Queued runs (flow control) that no gate acknowledged: handed to their gate again.
        queued = await asyncio.to_thread(flow_control.unhanded, self.engine, cutoff=cutoff, limit=BATCH)
        started += await asyncio.gather(*(self._run(run_id, gate, queued=True) for run_id in queued))
        swept = Swept(dispatched=outcomes.count(True), failed=outcomes.count(False), started=sum(started))
        if swept:
            log.info(
                "sweep: %d event(s) dispatched, %d failed (retried with backoff), %d pending run(s) started",
                swept.dispatched,
                swept.failed,
                swept.started,
            )
        return swept

    async def _event(self, event_id: str, gate: asyncio.Semaphore) -> bool | None:
        """True: dispatched; False: failed (recorded); None: another process has it."""
        async with gate:
            now = utcnow()
            if not await asyncio.to_thread(
                intake.claim, self.engine, event_id=event_id, now=now, lease=LEASE
            ):
                return None
            try:
                async with asyncio.timeout(DISPATCH_TIMEOUT.total_seconds()):
                    return await self.events.dispatch(event_id=event_id) or None
            except Exception as exc:  # this event only: the others go on
                error = _short(exc)
                attempts = await asyncio.to_thread(
                    intake.note_failure, self.engine, event_id=event_id, error=error, now=utcnow()
                )
                log.warning("event %s not dispatched (try %d): %s", event_id, attempts, error)
                return False

    async def _run(self, run_id: str, gate: asyncio.Semaphore, *, queued: bool = False) -> int:
        async with gate:
            try:
                find = run_service.queued_start if queued else run_service.pending_start
                start = await asyncio.to_thread(find, self.engine, run_id=run_id)
                if start is None:
                    return 0
                async with asyncio.timeout(DISPATCH_TIMEOUT.total_seconds()):
                    await run_service.start_run(
                        self.events.temporal, start, task_queue=self.events.settings.task_queue
                    )
                await asyncio.to_thread(run_service.mark_started, self.engine, run_ids=[run_id])
                return 1
            except Exception as exc:  # this run only; the next sweep tries again
                log.warning("pending run %s not started: %s", run_id, _short(exc))
                return 0


def _short(exc: BaseException) -> str:
    """The kind of failure, without data."""
    if isinstance(exc, TimeoutError):
        return f"no answer within {DISPATCH_TIMEOUT.total_seconds():g} s"
    return f"{type(exc).__name__}: {str(exc)[:200]}"
