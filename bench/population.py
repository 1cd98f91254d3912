"""Filling accounts for the matching figures: many live definitions, many waiting runs.

Both are written through Relay's own functions (or the exact rows they write) rather than
over HTTP, which at the API's present intake rate would take many minutes for 10,000.
"""

import asyncio
import copy

from sqlalchemy import Engine, event
from sqlmodel import Session

from bench.definitions import ORDER_CREATED, compiled, triggered
from bench.stack import Stack
from bench.stats import pool
from relay.core.ids import readable_id
from relay.services.intake import Recorded, mark_dispatched, record_event
from relay.services.run_start import start_run
from relay.storage import create_db_engine
from relay.storage.tables import Workflow, WorkflowVersion

CHUNK = 500


def add_live_definitions(engine: Engine, *, account_id: str, count: int) -> None:
    """``count`` live definitions, each triggered by an event of its own (none the one posted),
    in one transaction: the rows ``POST /v1/workflows``, ``/versions`` and ``/publish`` write."""
    if count <= 0:
        return
    template = compiled(triggered("bench/other"))
    with Session(engine) as session:
        for index in range(count):
            event = f"bench/other.{index}"
            document = triggered(event, name=f"Other {index}")
            definition = copy.deepcopy(template) | {"name": document["name"], "trigger": {"event": event}}
            workflow_id = readable_id(document["name"], fallback="workflow")
            session.add(Workflow(
                id=workflow_id, account_id=account_id, name=document["name"], draft=document,
                latest_version=1, live_version=1, trigger_event=event,
            ))  # fmt: skip
            session.add(WorkflowVersion(
                workflow_id=workflow_id, version=1, definition=document, compiled=definition,
                trigger_event=event,
            ))  # fmt: skip
        session.commit()


def bulk_engine(url: str) -> Engine:
    """A connection of the benchmark's own for filling the database, without fsync per commit:
    what it writes need not survive a power cut, and the API's own connections are untouched."""
    engine = create_db_engine(url)
    if url.startswith("sqlite"):
        event.listen(engine, "connect", lambda dbapi, _record: dbapi.execute("PRAGMA synchronous=OFF"))
    return engine


async def start_waiting_runs(stack: Stack, *, account_id: str, count: int, concurrency: int) -> int:
    """``count`` runs of the account's live ``waiting()`` workflow, one per order event (keys
    0 to count - 1), through intake's own steps: ``record_event`` (the run row and its
    subscriptions), ``start_run`` (on the API's task queue), ``mark_dispatched``. Recording the
    next chunk overlaps starting this one. Returns how many runs were started."""
    engine = bulk_engine(stack.settings.database_url)
    chunks: asyncio.Queue[list[Recorded] | None] = asyncio.Queue(maxsize=2)

    def record(keys: range) -> list[Recorded]:
        return [
            record_event(engine, account_id=account_id, name=ORDER_CREATED, data={"key": k}) for k in keys
        ]

    async def produce() -> None:
        for first in range(0, count, CHUNK):
            await chunks.put(await asyncio.to_thread(record, range(first, min(count, first + CHUNK))))
        await chunks.put(None)

    async def consume() -> list[Recorded]:
        done: list[Recorded] = []
        while (recorded := await chunks.get()) is not None:
            starts = [start for one in recorded for start in one.starts]
            await pool(
                len(starts), concurrency,
                lambda i, starts=starts: start_run(stack.client, starts[i], task_queue=stack.api_queue),
            )  # fmt: skip
            done += recorded
        return done

    def mark(done: list[Recorded]) -> None:
        for recorded in done:
            mark_dispatched(engine, event_id=recorded.event_id, run_ids=recorded.run_ids)

    try:
        _, done = await asyncio.gather(produce(), consume())
        await asyncio.to_thread(mark, done)
    finally:
        engine.dispose()
    return sum(len(one.starts) for one in done)
