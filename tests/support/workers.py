"""``relay worker`` as a real subprocess on a test's task queue and database, killed by PID."""

import asyncio
import signal
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from temporalio.testing import WorkflowEnvironment

from relay.core.settings import Settings
from tests.support.procs import RELAY, clean_env
from tests.support.temporal import has_pollers

REPO = Path(__file__).resolve().parents[2]


@asynccontextmanager
async def worker_process(
    env: WorkflowEnvironment, settings: Settings, log: Path, *, wait_for_pollers: bool = True
) -> AsyncIterator[int]:
    """``relay worker`` on the test's queue, database and action modules; yields its PID once
    a worker polls the queue (with ``wait_for_pollers``). Killed with SIGKILL on the way out."""
    relay = {
        "temporal_address": env.client.service_client.config.target_host,
        "task_queue": settings.task_queue,
        "database_url": settings.database_url,
        "secrets_keys": ",".join(settings.secrets_keys),
        "action_heartbeat_timeout": str(settings.action_heartbeat_timeout),
    }
    if settings.http_allow:
        relay["http_allow"] = ",".join(settings.http_allow)
    if settings.action_modules:
        relay["action_modules"] = ",".join(settings.action_modules)
    environment = clean_env(**relay)
    # Product action modules of the tests (tests.ops.slow_actions) import from the checkout.
    environment["PYTHONPATH"] = str(REPO)
    with log.open("ab") as out:
        proc = await asyncio.create_subprocess_exec(
            *RELAY, "worker", env=environment, stdout=out, stderr=out, cwd=REPO
        )
    try:
        if wait_for_pollers:
            async with asyncio.timeout(30):
                while not await has_pollers(env, settings.task_queue):
                    assert proc.returncode is None, f"the worker exited early: see {log}"
                    await asyncio.sleep(0.2)
        yield proc.pid
    finally:
        if proc.returncode is None:
            proc.send_signal(signal.SIGKILL)
        await proc.wait()
