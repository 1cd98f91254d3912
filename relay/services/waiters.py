"""Delivering events to runs that wait for them (``wait_for_event``) or end on them (``cancel_on``).

A run's subscriptions are written in the same transaction as the run itself, before it
starts, so an event recorded after that is delivered even if the run has not reached
its wait yet: the signal is kept in the run's history until a wait consumes it. Intake
finds subscribers by index (account, event name, match value), never by scanning runs.
"""

import asyncio
import json
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import Engine, update
from sqlmodel import Session, col, select
from temporalio.client import Client
from temporalio.service import RPCError, RPCStatusCode

from interpreter.contract import EVENT_SIGNAL, EventPayload
from relay.services import run_start as run_service
from relay.services.subscribe import match_key
from relay.storage.subscriptions import RunSubscription, SubscriptionKey


@dataclass(frozen=True)
class Delivered:
    resumed: int = 0
    cancelled: int = 0


def subscribers(engine: Engine, *, account_id: str, event: EventPayload) -> list[RunSubscription]:
    """Open subscriptions this event satisfies. The account's few match expressions for the
    event name come first; then one exact index lookup per expression, so the cost does not
    grow with the number of waiting runs."""
    doc = event.model_dump(mode="json")
    with Session(engine) as session:
        exprs = session.exec(
            select(SubscriptionKey.match_expr).where(
                SubscriptionKey.account_id == account_id, SubscriptionKey.event_name == event.name
            )
        ).all()
        found: list[RunSubscription] = []
        for expr in exprs:
            value = match_key(expr, doc) if expr else None
            if expr and json.loads(value or "null") is None:
                continue  # the event lacks the field: it can match no run
            found += session.exec(
                select(RunSubscription).where(
                    RunSubscription.account_id == account_id,
                    RunSubscription.event_name == event.name,
                    col(RunSubscription.open).is_(True),
                    RunSubscription.match_expr == expr if expr else col(RunSubscription.match_expr).is_(None),
                    RunSubscription.match_value == value
                    if expr
                    else col(RunSubscription.match_value).is_(None),
                )
            ).all()
        return [row for row in found if row.trigger_event_id != event.id]


async def deliver(
    engine: Engine,
    *,
    client: Client,
    account_id: str,
    event: EventPayload,
    task_queue: str,
    deadline: timedelta | None = None,
) -> Delivered:
    """Signal every waiting run the event matches and cancel every run it ends; the Temporal
    calls must end within ``deadline`` (TimeoutError: none is undone, delivering again is safe)."""
    targets = await asyncio.to_thread(subscribers, engine, account_id=account_id, event=event)
    waiting = {s.temporal_workflow_id: s for s in targets if s.kind == "wait"}
    ending = {s.temporal_workflow_id: s for s in targets if s.kind == "cancel"}
    if not waiting and not ending:
        return Delivered()
    async with asyncio.timeout(deadline.total_seconds() if deadline else None):
        outcomes = await asyncio.gather(
            *(_signal(engine, client, s, event, task_queue) for s in waiting.values()),
            *(_cancel(client, s) for s in ending.values()),
        )
    closed = [s.id for s, ok in zip([*waiting.values(), *ending.values()], outcomes, strict=True) if not ok]
    if closed:
        await asyncio.to_thread(_close, engine, closed)
    return Delivered(resumed=sum(outcomes[: len(waiting)]), cancelled=sum(outcomes[len(waiting) :]))


async def _signal(
    engine: Engine, client: Client, sub: RunSubscription, event: EventPayload, task_queue: str
) -> bool:
    try:
        await client.get_workflow_handle(sub.temporal_workflow_id).signal(EVENT_SIGNAL, event)
        return True
    except RPCError as exc:
        if exc.status != RPCStatusCode.NOT_FOUND:
            raise
    # Not running: either recorded and not started yet (start it with the event), or ended.
    start = await asyncio.to_thread(run_service.pending_start, engine, run_id=sub.run_id)
    if start is None:
        return False
    await run_service.start_run(client, start, task_queue=task_queue, signal=(EVENT_SIGNAL, event))
    return True


async def _cancel(client: Client, sub: RunSubscription) -> bool:
    try:
        await client.get_workflow_handle(sub.temporal_workflow_id).cancel()
        return True
    except RPCError as exc:
        if exc.status != RPCStatusCode.NOT_FOUND:
            raise
        return False


def _close(engine: Engine, subscription_ids: list[int | None]) -> None:
    with Session(engine) as session:
        session.exec(
            update(RunSubscription).where(col(RunSubscription.id).in_(subscription_ids)).values(open=False)
        )
        session.commit()
