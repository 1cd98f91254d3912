"""``relay worker`` and ``relay api`` as real processes on a test's queue and database, killed by PID."""

import asyncio
import signal
import socket
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from pathlib import Path

import httpx
from temporalio.testing import WorkflowEnvironment

from relay.core.settings import Settings
from tests.support.procs import RELAY, clean_env
from tests.support.temporal import has_pollers

REPO = Path(__file__).resolve().parents[2]

# ``relay worker`` for a test to start when it is ready: ``async with flow_worker(): ...``.
FlowWorker = Callable[[], AbstractAsyncContextManager[asyncio.subprocess.Process]]


def relay_env(env: WorkflowEnvironment, settings: Settings, **extra: str) -> dict[str, str]:
    values = {
        "temporal_address": env.client.service_client.config.target_host,
        "task_queue": settings.task_queue,
        "database_url": settings.database_url,
        "secrets_keys": ",".join(settings.secrets_keys),
        "http_allow": ",".join(settings.http_allow),
        "sweep_interval": str(settings.sweep_interval),
        **extra,
    }
    environment = clean_env(**values)
    environment["PYTHONPATH"] = str(REPO)
    return environment


@asynccontextmanager
async def worker(
    env: WorkflowEnvironment, settings: Settings, log: Path, **extra: str
) -> AsyncIterator[asyncio.subprocess.Process]:
    """``relay worker``; yields the process once it polls the queue. SIGKILLed on the way out."""
    with log.open("ab") as out:
        proc = await asyncio.create_subprocess_exec(
            *RELAY, "worker", env=relay_env(env, settings, **extra), stdout=out, stderr=out, cwd=REPO
        )
    try:
        async with asyncio.timeout(60):
            while not await has_pollers(env, settings.task_queue):
                assert proc.returncode is None, f"the worker exited early: see {log}"
                await asyncio.sleep(0.2)
        yield proc
    finally:
        if proc.returncode is None:
            proc.send_signal(signal.SIGKILL)
        await proc.wait()


@asynccontextmanager
async def api(
    env: WorkflowEnvironment, settings: Settings, log: Path, key: str
) -> AsyncIterator[tuple[asyncio.subprocess.Process, httpx.AsyncClient]]:
    """``relay api`` on a free port; yields the process and a client with ``key`` once it answers."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    with log.open("ab") as out:
        proc = await asyncio.create_subprocess_exec(
            *RELAY, "api", "--port", str(port), env=relay_env(env, settings), stdout=out, stderr=out, cwd=REPO
        )
    base = f"http://127.0.0.1:{port}"
    try:
        async with httpx.AsyncClient(
            base_url=base, headers={"Authorization": f"Bearer {key}"}, timeout=30
        ) as client:
            async with asyncio.timeout(60):
                while True:
                    assert proc.returncode is None, f"the API exited early: see {log}"
                    try:
                        await client.get("/healthz", timeout=5)
                        break
                    except httpx.TransportError:
                        await asyncio.sleep(0.2)
            yield proc, client
    finally:
        if proc.returncode is None:
            proc.send_signal(signal.SIGKILL)
        await proc.wait()
