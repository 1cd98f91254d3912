"""A crash between recording runs and starting them loses nothing: start-up starts them."""

import httpx
import pytest
from sqlalchemy import Engine
from sqlmodel import Session
from temporalio.service import RPCError
from temporalio.testing import WorkflowEnvironment

from api.app import create_app
from relay.core.settings import Settings
from relay.services.intake import record_event
from relay.services.run_start import record_manual_run
from relay.storage.tables import Account, Event, Run
from tests.api.flows import GREETER, SIGNUP
from tests.support.api_calls import publish


async def test_startup_starts_what_a_crash_left_pending(
    api: httpx.AsyncClient,
    acme: tuple[Account, str],
    db: Engine,
    settings: Settings,
    dev_env: WorkflowEnvironment,
) -> None:
    account, _key = acme
    workflow_id = await publish(api, GREETER)
    # What a request does before it starts anything, as if the process died right after.
    recorded = record_event(
        db, account_id=account.id, name=SIGNUP, data={"plan": "pro"}, external_id="crash-1"
    )
    manual = record_manual_run(db, account_id=account.id, workflow_id=workflow_id, version=None, input={})
    wf_ids = [_run(db, run_id).temporal_workflow_id for run_id in recorded.run_ids] + [
        manual.temporal_workflow_id
    ]
    for wf_id in wf_ids:
        with pytest.raises(RPCError):
            await dev_env.client.get_workflow_handle(wf_id).describe()

    restarted = create_app(settings, engine=db, temporal_client=dev_env.client)
    async with restarted.router.lifespan_context(restarted):
        pass

    for wf_id in wf_ids:
        await dev_env.client.get_workflow_handle(wf_id).describe()
    assert {_run(db, r).status for r in [*recorded.run_ids, manual.input.run_id]} == {"running"}
    with Session(db) as session:
        event = session.get(Event, recorded.event_id)
        assert event is not None and event.dispatched is True
    again = await api.post("/v1/events", json={"name": SIGNUP, "data": {"plan": "pro"}, "id": "crash-1"})
    assert again.json()["runs"] == recorded.run_ids


def _run(db: Engine, run_id: str) -> Run:
    with Session(db) as session:
        run = session.get(Run, run_id)
        assert run is not None
        return run
