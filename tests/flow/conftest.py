"""Flow control against the real dev server: the API in-process, ``relay worker`` processes."""

from collections.abc import AsyncIterator, Iterator
from functools import partial
from pathlib import Path

import httpx
import pytest
from sqlalchemy import Engine
from temporalio.testing import WorkflowEnvironment

from api.app import create_app
from relay.core.settings import Settings
from relay.services.accounts import create_account
from tests.flow.procs import FlowWorker, worker
from tests.flow.sink import Sink
from tests.support.stack import api_client


@pytest.fixture
def sink() -> Iterator[Sink]:
    server = Sink(delay=1.5)
    yield server
    server.stop()


@pytest.fixture
def flow_settings(settings: Settings) -> Settings:
    # Sweeps often, so recovery tests need not wait long.
    return settings.model_copy(update={"sweep_interval": 1.0})


@pytest.fixture
async def api(
    dev_env: WorkflowEnvironment, flow_settings: Settings, engine: Engine
) -> AsyncIterator[httpx.AsyncClient]:
    """The API (lifespan included) of account Acme."""
    app = create_app(flow_settings, engine=engine, temporal_client=dev_env.client)
    _, key = create_account(engine, name="Acme")
    async with app.router.lifespan_context(app), api_client(app, key) as client:
        yield client


@pytest.fixture
def worker_log(tmp_path: Path) -> Path:
    return tmp_path / "worker.log"


@pytest.fixture
def flow_worker(dev_env: WorkflowEnvironment, flow_settings: Settings, worker_log: Path) -> FlowWorker:
    """``relay worker`` on the test's queue and database with ``flow_settings``, logging to
    ``worker_log`` (``procs.worker``), started when the test enters it."""
    return partial(worker, dev_env, flow_settings, worker_log)
