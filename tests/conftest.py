"""Session-wide real components: Temporal servers, an SMTP server, an HTTP stand-in for Slack."""

import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import Engine, text
from temporalio.testing import WorkflowEnvironment

from relay.core.settings import Settings
from relay.storage import create_db_engine, init_db
from relay.storage.secrets import new_key
from tests.support.servers import HttpServer, SmtpServer
from tests.support.temporal import start_dev_server, start_time_skipping

POSTGRES_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


@pytest.fixture(scope="session")
async def dev_env() -> AsyncIterator[WorkflowEnvironment]:
    env = await start_dev_server()
    yield env
    await env.shutdown()


@pytest.fixture(scope="session")
async def ts_env() -> AsyncIterator[WorkflowEnvironment]:
    env = await start_time_skipping()
    yield env
    await env.shutdown()


@pytest.fixture(scope="session")
def smtp_server() -> Iterator[SmtpServer]:
    server = SmtpServer().start()
    yield server
    server.stop()


@pytest.fixture
def smtp(smtp_server: SmtpServer) -> SmtpServer:
    smtp_server.clear()
    return smtp_server


@pytest.fixture
def slack() -> Iterator[HttpServer]:
    """A local HTTP server answering like Slack's chat.postMessage."""
    server = HttpServer().start()
    yield server
    server.stop()


@pytest.fixture
def task_queue() -> str:
    return f"relay-test-{uuid.uuid4()}"


@pytest.fixture
def settings(tmp_path: Path, smtp_server: SmtpServer, task_queue: str) -> Settings:
    return Settings(
        database_url=f"sqlite:///{tmp_path / 'relay.db'}",
        secrets_keys=new_key(),
        smtp_host="127.0.0.1",
        smtp_port=smtp_server.port,
        smtp_from="relay@example.test",
        task_queue=task_queue,
    )


@pytest.fixture
def engine(settings: Settings) -> Iterator[Engine]:
    engine = create_db_engine(settings.database_url)
    init_db(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def pg_engine() -> Iterator[Engine]:
    """A fresh schema in the local PostgreSQL ``test`` database, dropped afterwards."""
    schema = f"relay_{uuid.uuid4().hex[:12]}"
    admin = create_db_engine(POSTGRES_URL)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    engine = create_db_engine(f"{POSTGRES_URL}?options=-csearch_path%3D{schema}")
    init_db(engine)
    yield engine
    engine.dispose()
    with admin.begin() as conn:
        conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    admin.dispose()


@pytest.fixture
async def http() -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(timeout=10) as client:
        yield client
