"""Event intake under faults (SPEC §10): the chain depth limit stops a workflow that triggers
itself; the sweeper dispatches each undispatched event on its own, once, a poison one aside;
intake answers 202 ``pending`` while Temporal is unreachable; deeply nested data is a 400."""

import asyncio
import socket
import time
from typing import Any

import httpx
from sqlalchemy import Engine, update
from sqlmodel import Session, col, func, select
from temporalio.testing import WorkflowEnvironment

from api.app import create_app
from relay.core.settings import Settings
from relay.services import intake
from relay.services.accounts import create_account
from relay.services.events import EventService
from relay.services.sweeper import Sweeper
from relay.storage.tables import Event, Run
from tests.support.api_calls import publish
from tests.support.stack import api_client, relay_stack

LOOPER = {
    "name": "Looper",
    "trigger": {"event": "loop/go"},
    "actions": [{"id": "again", "type": "emit_event", "data": {"name": "loop/go", "data": {}}}],
}
NOTED = {
    "name": "Noted",
    "trigger": {"event": "note/go"},
    "actions": [{"id": "wait", "type": "sleep", "data": {"duration": "1s"}}],
}


def _count(engine: Engine, statement: Any) -> int:
    with Session(engine) as session:
        return int(session.exec(statement).one())


async def test_a_workflow_that_emits_its_own_trigger_stops_at_the_depth_limit(
    dev_env: WorkflowEnvironment, settings: Settings, engine: Engine
) -> None:
    limited = settings.model_copy(update={"max_event_depth": 3})
    async with relay_stack(dev_env.client, settings=limited, engine=engine) as (api,):
        workflow_id = await publish(api, LOOPER)
        first = await api.post("/v1/events", json={"name": "loop/go", "data": {}})
        assert first.status_code == 202, first.text
        assert first.json()["refused"] is None and first.json()["pending"] is False

        await _until_refused(api)
        await asyncio.sleep(2)  # nothing more may come

        runs = _count(engine, select(func.count()).select_from(Run).where(Run.workflow_id == workflow_id))
        assert runs == 4  # events of depth 0, 1, 2, 3 each start one run; depth 4 is refused
        events = (await api.get("/v1/events", params={"name": "loop/go"})).json()["items"]
        assert sorted(e["depth"] for e in events) == [0, 1, 2, 3, 4]
        last = events[0]
        assert last["depth"] == 4
        assert last["refused"] == "event chain depth 4 exceeds RELAY_MAX_EVENT_DEPTH (3)"
        detail = (await api.get(f"/v1/events/{last['event_id']}")).json()
        assert detail["runs"] == [] and detail["refused"] == last["refused"]


async def test_a_poison_event_does_not_hold_up_fifty_good_ones(
    dev_env: WorkflowEnvironment, settings: Settings, db: Engine
) -> None:
    quiet = settings.model_copy(update={"sweep_interval": 3600})  # only this test's sweeps
    app = create_app(quiet, engine=db, temporal_client=dev_env.client)
    account, key = create_account(db, name="Acme")
    account_id = account.id
    async with app.router.lifespan_context(app), api_client(app, key) as api:
        await publish(api, NOTED)
        good = [
            intake.record_event(db, account_id=account_id, name="note/go", data={"n": n}).event_id
            for n in range(50)
        ]
        poison = intake.record_event(db, account_id=account_id, name="note/go", data={"n": "poison"})
        with Session(db) as session:  # its pinned version does not exist: its start fails
            session.exec(update(Run).where(col(Run.event_id) == poison.event_id).values(version=999))
            session.commit()

        events = app.state.services.events
        assert isinstance(events, EventService)
        # Two processes sweeping at once: the leases split the events, none is dispatched twice.
        sweeps = await asyncio.gather(
            *(Sweeper(events, interval=1, grace=_no_grace()).sweep() for _ in range(2))
        )
        assert sum(s.dispatched for s in sweeps) == 50
        assert sum(s.failed for s in sweeps) == 1

        with Session(db) as session:
            rows = {e.id: e for e in session.exec(select(Event)).all()}
            statuses = session.exec(select(Run.status).where(col(Run.event_id).in_(good))).all()
        assert all(rows[g].dispatched for g in good)
        assert sorted(set(statuses)) != ["pending"] and "pending" not in statuses
        bad = rows[poison.event_id]
        assert not bad.dispatched and bad.dispatch_attempts == 1
        assert bad.dispatch_error and "NoResultFound" in bad.dispatch_error
        assert bad.next_dispatch_at is not None

        # Its retry waits for the backoff; the next sweep has nothing to do.
        assert not await Sweeper(events, interval=1, grace=_no_grace()).sweep()
        detail = (await api.get(f"/v1/events/{poison.event_id}")).json()
        assert detail["pending"] is True


async def test_intake_answers_pending_quickly_while_temporal_is_unreachable(
    settings: Settings, engine: Engine
) -> None:
    down = settings.model_copy(
        update={"temporal_address": f"127.0.0.1:{_free_port()}", "sweep_interval": 3600}
    )
    app = create_app(down, engine=engine)  # connects lazily: it starts without Temporal
    _, key = create_account(engine, name="Acme")
    async with app.router.lifespan_context(app), api_client(app, key) as api:
        with Session(engine) as session:
            assert session.exec(select(func.count()).select_from(Event)).one() == 0
        await _publish_offline(api)
        started = time.monotonic()
        answer = await api.post("/v1/events", json={"name": "note/go", "data": {"n": 1}, "id": "order-1"})
        elapsed = time.monotonic() - started
        assert answer.status_code == 202, answer.text
        body = answer.json()
        assert body["pending"] is True and len(body["runs"]) == 1
        assert elapsed < 3.5
        with Session(engine) as session:
            row = session.get(Event, body["event_id"])
            assert row is not None and not row.dispatched and row.dispatch_attempts == 1
        detail = (await api.get("/v1/events/order-1")).json()
        assert detail["pending"] is True


async def test_data_nested_too_deep_is_refused_before_anything_is_written(
    dev_env: WorkflowEnvironment, settings: Settings, engine: Engine
) -> None:
    app = create_app(settings, engine=engine, temporal_client=dev_env.client)
    _, key = create_account(engine, name="Acme")
    async with app.router.lifespan_context(app), api_client(app, key) as api:
        nested: dict[str, Any] = {}
        for _ in range(300):
            nested = {"x": nested}
        answer = await api.post("/v1/events", json={"name": "deep/go", "data": nested})
        assert answer.status_code == 400, answer.text
        assert "64" in answer.json()["detail"]
        fine: dict[str, Any] = {}
        for _ in range(63):
            fine = {"x": fine}
        assert (await api.post("/v1/events", json={"name": "deep/go", "data": fine})).status_code == 202
        assert _count(engine, select(func.count()).select_from(Event)) == 1


async def _until_refused(api: httpx.AsyncClient) -> None:
    """Until the newest ``loop/go`` event is the refused one."""
    async with asyncio.timeout(40):
        for _ in range(400):
            items = (await api.get("/v1/events", params={"name": "loop/go"})).json()["items"]
            if items and items[0]["refused"] is not None:
                return
            await asyncio.sleep(0.3)


async def _publish_offline(api: httpx.AsyncClient) -> None:
    # Publishing an event-triggered workflow does not need Temporal.
    await publish(api, NOTED)


def _no_grace() -> Any:
    from datetime import timedelta

    return timedelta(0)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])
