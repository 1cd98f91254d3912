"""``relay worker`` as a real process against the session's Temporal dev server."""

import asyncio
import signal
import time
import uuid
from pathlib import Path

from temporalio.api.enums.v1 import TaskQueueType
from temporalio.api.taskqueue.v1 import TaskQueue
from temporalio.api.workflowservice.v1 import DescribeTaskQueueRequest
from temporalio.testing import WorkflowEnvironment

from relay.storage.secrets import new_key
from tests.ops.procs import RELAY, clean_env, free_port


async def _has_pollers(env: WorkflowEnvironment, queue: str) -> bool:
    answer = await env.client.workflow_service.describe_task_queue(
        DescribeTaskQueueRequest(
            namespace=env.client.namespace,
            task_queue=TaskQueue(name=queue),
            task_queue_type=TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW,
        )
    )
    return bool(answer.pollers)


async def test_worker_polls_until_sigterm_then_exits_cleanly(
    dev_env: WorkflowEnvironment, tmp_path: Path
) -> None:
    queue = f"relay-ops-{uuid.uuid4()}"
    log = tmp_path / "worker.log"
    env = clean_env(
        temporal_address=dev_env.client.service_client.config.target_host,
        task_queue=queue,
        database_url=f"sqlite:///{tmp_path / 'relay.db'}",
        secrets_keys=new_key(),
    )
    with log.open("wb") as out:
        proc = await asyncio.create_subprocess_exec(
            *RELAY, "worker", "--shutdown-grace", "5", env=env, stdout=out, stderr=out
        )
    try:
        deadline = time.monotonic() + 30
        while not await _has_pollers(dev_env, queue):
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


async def test_worker_without_temporal_fails_with_a_message(tmp_path: Path) -> None:
    env = clean_env(
        temporal_address=f"127.0.0.1:{free_port()}",
        database_url=f"sqlite:///{tmp_path / 'relay.db'}",
    )
    proc = await asyncio.create_subprocess_exec(
        *RELAY, "worker", env=env, stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE
    )
    _, stderr = await asyncio.wait_for(proc.communicate(), timeout=30)

    assert proc.returncode != 0
    assert b"cannot reach Temporal" in stderr
