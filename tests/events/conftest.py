"""The API and a real worker on the time-skipping server, for flows with long waits."""

from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import httpx
import pytest
from sqlalchemy import Engine
from temporalio.testing import WorkflowEnvironment

from relay.core.settings import Settings
from relay.core.temporal import with_relay_converter
from tests.support.stack import relay_stack


@pytest.fixture
async def relay_ts(
    ts_env: WorkflowEnvironment, settings: Settings, engine: Engine
) -> AsyncIterator[httpx.AsyncClient]:
    async with relay_stack(ts_env.client, settings=settings, engine=engine) as (api,):
        yield api


async def publish(api: httpx.AsyncClient, definition: dict[str, Any]) -> str:
    created = await api.post("/v1/workflows", json=definition)
    assert created.status_code == 201, created.text
    workflow_id = created.json()["id"]
    assert (await api.post(f"/v1/workflows/{workflow_id}/versions")).status_code == 201
    assert (await api.post(f"/v1/workflows/{workflow_id}/publish", json={"version": 1})).status_code == 200
    return workflow_id


Finish = Callable[[str], Awaitable[dict[str, Any]]]


@pytest.fixture
def finish(relay_ts: httpx.AsyncClient, ts_env: WorkflowEnvironment, engine: Engine) -> Finish:
    """Await a run in Temporal with time skipping unlocked, then read it through the API."""

    async def run_to_end(run_id: str) -> dict[str, Any]:
        detail = (await relay_ts.get(f"/v1/runs/{run_id}")).json()
        handle = with_relay_converter(ts_env.client, engine).get_workflow_handle(
            detail["temporal_workflow_id"]
        )
        async with ts_env.time_skipping_unlocked():
            try:
                await handle.result()
            except Exception:  # noqa: BLE001, S110 - the API says how it ended
                pass
        return (await relay_ts.get(f"/v1/runs/{run_id}")).json()

    return run_to_end


@pytest.fixture(params=["sqlite", "postgres"])
def any_db(request: pytest.FixtureRequest) -> Engine:
    return request.getfixturevalue("engine" if request.param == "sqlite" else "pg_engine")


@pytest.fixture
async def relay_dev(
    dev_env: WorkflowEnvironment, settings: Settings, any_db: Engine
) -> AsyncIterator[tuple[httpx.AsyncClient, httpx.AsyncClient]]:
    """Two accounts' clients on the real dev server with a real worker."""
    async with relay_stack(dev_env.client, settings=settings, engine=any_db, accounts=("Acme", "Globex")) as (
        acme,
        globex,
    ):
        yield acme, globex
