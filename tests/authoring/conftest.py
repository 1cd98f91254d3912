"""The API in-process on the session's Temporal dev server, a real database (SQLite and
PostgreSQL, through ``db``), and a real worker whose SMTP, Slack and HTTP calls reach local
sinks, so a test can tell that a test run reached none of them."""

from collections.abc import AsyncIterator

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import Engine
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Worker

from api.app import create_app
from relay.core.settings import Settings
from relay.services.accounts import create_account
from tests.support.servers import HttpServer
from tests.support.stack import api_client
from worker.build import build_worker


@pytest.fixture
def sink_settings(settings: Settings, http_server: HttpServer) -> Settings:
    """Slack's API and every ``http_request`` to 127.0.0.1 reach ``http_server``."""
    return settings.model_copy(update={"slack_api_url": http_server.url, "http_allow": ["127.0.0.1"]})


@pytest.fixture
async def app(sink_settings: Settings, db: Engine, dev_env: WorkflowEnvironment) -> AsyncIterator[FastAPI]:
    app = create_app(sink_settings, engine=db, temporal_client=dev_env.client)
    async with app.router.lifespan_context(app):
        yield app


@pytest.fixture
async def api(app: FastAPI, db: Engine) -> AsyncIterator[httpx.AsyncClient]:
    async with api_client(app, create_account(db, name="Acme Corp")[1]) as client:
        yield client


@pytest.fixture
async def worker(
    dev_env: WorkflowEnvironment, sink_settings: Settings, db: Engine, http: httpx.AsyncClient
) -> AsyncIterator[Worker]:
    """A real worker on this test's task queue: what a real run would do, it does."""
    worker = build_worker(dev_env.client, settings=sink_settings, engine=db, http=http)
    async with worker:
        yield worker


@pytest.fixture
async def other_api(app: FastAPI, db: Engine) -> AsyncIterator[httpx.AsyncClient]:
    """Another account, "Globex"."""
    async with api_client(app, create_account(db, name="Globex")[1]) as client:
        yield client
