"""Real components shared by every folder: Temporal servers, SMTP and HTTP stand-ins, databases
(SQLite and PostgreSQL), and Relay's API with a worker."""

import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import Engine, text
from temporalio.testing import WorkflowEnvironment

from relay.core.settings import Settings
from relay.storage import create_db_engine, upgrade
from relay.storage.secrets import new_key
from tests.support.servers import HttpServer, SmtpServer
from tests.support.stack import relay_stack
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
def http_server() -> Iterator[HttpServer]:
    """A local HTTP server (answering ``{"ok": true}``, as Slack does); set ``.responder`` to script
    its answers."""
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
        # The local HTTP stand-ins listen on 127.0.0.1; every other internal address stays
        # refused, as in production (tests/security/test_ssrf.py).
        http_allow=["127.0.0.1"],
    )


@pytest.fixture
def engine(settings: Settings) -> Iterator[Engine]:
    engine = create_db_engine(settings.database_url)
    upgrade(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def empty_pg() -> Iterator[Engine]:
    """A fresh, empty schema in the local PostgreSQL ``test`` database, dropped afterwards."""
    schema = f"relay_{uuid.uuid4().hex[:12]}"
    admin = create_db_engine(POSTGRES_URL)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    engine = create_db_engine(f"{POSTGRES_URL}?options=-csearch_path%3D{schema}")
    yield engine
    engine.dispose()
    with admin.begin() as conn:
        conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    admin.dispose()


@pytest.fixture
def pg_engine(empty_pg: Engine) -> Engine:
    """``empty_pg`` with Relay's tables."""
    upgrade(empty_pg)
    return empty_pg


@pytest.fixture(params=["sqlite", "postgres"])
def db(request: pytest.FixtureRequest) -> Engine:
    """``engine`` then ``pg_engine``: a test using ``db`` runs on SQLite and on PostgreSQL."""
    return request.getfixturevalue("engine" if request.param == "sqlite" else "pg_engine")


@pytest.fixture
async def relay_dev(
    dev_env: WorkflowEnvironment, settings: Settings, db: Engine
) -> AsyncIterator[tuple[httpx.AsyncClient, httpx.AsyncClient]]:
    """Two accounts' API clients, "Acme" and "Globex", on the real dev server with a real worker."""
    async with relay_stack(dev_env.client, settings=settings, engine=db, accounts=("Acme", "Globex")) as (
        acme,
        globex,
    ):
        yield acme, globex


@pytest.fixture
async def http() -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(timeout=10) as client:
        yield client
