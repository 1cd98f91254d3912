"""The API and a real worker on the time-skipping server, for flows with long waits.

``relay_dev`` (two accounts on the dev server) comes from ``tests/conftest.py``."""

from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import httpx
import pytest
from sqlalchemy import Engine
from temporalio.testing import WorkflowEnvironment

from relay.core.settings import Settings
from tests.support.api_calls import run_to_end
from tests.support.stack import relay_stack


@pytest.fixture
async def relay_ts(
    ts_env: WorkflowEnvironment, settings: Settings, engine: Engine
) -> AsyncIterator[httpx.AsyncClient]:
    async with relay_stack(ts_env.client, settings=settings, engine=engine) as (api,):
        yield api


Finish = Callable[[str], Awaitable[dict[str, Any]]]


@pytest.fixture
def finish(relay_ts: httpx.AsyncClient, ts_env: WorkflowEnvironment, engine: Engine) -> Finish:
    """``await finish(run_id)``: ``run_to_end`` on ``relay_ts``."""

    async def finish_run(run_id: str) -> dict[str, Any]:
        return await run_to_end(relay_ts, ts_env, engine, run_id)

    return finish_run
