"""``relay worker`` as a real process against the session's Temporal dev server."""

import asyncio
import signal
import time
import uuid
from pathlib import Path

from temporalio.testing import WorkflowEnvironment

from relay.storage.secrets import new_key
from tests.support.procs import RELAY, clean_env
from tests.support.servers import free_port
from tests.support.temporal import has_pollers


async def test_worker_polls_until_sigterm_then_exits_cleanly(
    dev_env: WorkflowEnvironment, tmp_path: Path, sqlite_url: str
) -> None:
    queue = f"relay-ops-{uuid.uuid4()}"
    log = tmp_path / "worker.log"
    env = clean_env(
        temporal_address=dev_env.client.service_client.config.target_host,
        task_queue=queue,
        database_url=sqlite_url,
        secrets_keys=new_key(),
    )
    with log.open("wb") as out:
        proc = await asyncio.create_subprocess_exec(
            *RELAY, "worker", "--shutdown-grace", "5", env=env, stdout=out, stderr=out
        )
    try:
        deadline = time.monotonic() + 30
        while not await has_pollers(dev_env, queue):
            assert proc.returncode is None, f"worker exited early:\n{log.read_text()}"
            assert time.monotonic() < deadline, f"worker never polled:\n{log.read_text()}"
            await asyncio.sleep(0.2)

        proc.send_signal(signal.SIGTERM)
        code = await asyncio.wait_for(proc.wait(), timeout=20)
    finally:
        if proc.returncode is None:
            proc.kill()
            await proc.wait()

    assert code == 0, log.read_text()
    assert "worker stopped" in log.read_text()


async def test_worker_without_temporal_fails_with_a_message(sqlite_url: str) -> None:
    env = clean_env(
        temporal_address=f"127.0.0.1:{free_port()}",
        database_url=sqlite_url,
    )
    proc = await asyncio.create_subprocess_exec(
        *RELAY, "worker", env=env, stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE
    )
    _, stderr = await asyncio.wait_for(proc.communicate(), timeout=30)

    assert proc.returncode != 0
    assert b"cannot reach Temporal" in stderr
