"""The API in-process over ASGI, on the session's real Temporal dev server and a real database.

Every test that uses ``db`` (from ``tests/conftest.py``) runs twice: on SQLite and on PostgreSQL.
"""

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
from relay.storage.tables import Account
from tests.support.stack import api_client
from worker.build import build_worker


@pytest.fixture
async def app(settings: Settings, db: Engine, dev_env: WorkflowEnvironment) -> AsyncIterator[FastAPI]:
    app = create_app(settings, engine=db, temporal_client=dev_env.client)
    async with app.router.lifespan_context(app):
        yield app


@pytest.fixture
def acme(db: Engine) -> tuple[Account, str]:
    """The test's main account and its API key."""
    return create_account(db, name="Acme Corp")


@pytest.fixture
async def api(app: FastAPI, acme: tuple[Account, str]) -> AsyncIterator[httpx.AsyncClient]:
    """A client authenticated as ``acme``."""
    async with api_client(app, acme[1]) as client:
        yield client


@pytest.fixture
async def other_api(app: FastAPI, db: Engine) -> AsyncIterator[httpx.AsyncClient]:
    """A client authenticated as another account, "Globex"."""
    async with api_client(app, create_account(db, name="Globex")[1]) as client:
        yield client


@pytest.fixture
async def worker(
    dev_env: WorkflowEnvironment, settings: Settings, db: Engine, http: httpx.AsyncClient
) -> AsyncIterator[Worker]:
    """A real worker (interpreter + every action) on this test's own task queue."""
    worker = build_worker(dev_env.client, settings=settings, engine=db, http=http)
    async with worker:
        yield worker
