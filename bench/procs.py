"""Child processes of the benchmark (worker, API): started with their own RELAY_* settings,
waited for until they serve, stopped by SIGTERM (by pid, never by name)."""

import asyncio
import os
import signal
import socket
import sys
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path

import httpx
from temporalio.api.enums.v1 import TaskQueueType
from temporalio.api.taskqueue.v1 import TaskQueue
from temporalio.api.workflowservice.v1 import DescribeTaskQueueRequest
from temporalio.client import Client

ROOT = Path(__file__).resolve().parents[1]
START_TIMEOUT = 60.0


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def child_env(**relay: str) -> dict[str, str]:
    """This environment without any RELAY_* variable, plus ``relay`` (names without prefix)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("RELAY_")}
    env.update({f"RELAY_{name.upper()}": value for name, value in relay.items()})
    env["PYTHONUNBUFFERED"] = "1"
    return env


def rss_kib(pid: int) -> int:
    """Resident set size of ``pid`` (Linux /proc), in KiB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError(f"no VmRSS for pid {pid}")


async def settled_rss_kib(pid: int) -> int:
    """RSS of ``pid`` once it stops moving (three readings a second apart within 1%), in KiB."""
    readings = [rss_kib(pid)]
    for _ in range(30):
        await asyncio.sleep(1)
        readings.append(rss_kib(pid))
        last = readings[-3:]
        if len(last) == 3 and max(last) - min(last) <= 0.01 * max(last):
            break
    return readings[-1]


def cpu_seconds(pid: int) -> float:
    """CPU time (user + system, every thread) ``pid`` has used so far (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    # After the command: state is field 3 of stat(5), so utime (14) and stime (15) sit at 11, 12.
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@dataclass
class Child:
    name: str
    proc: asyncio.subprocess.Process
    log: Path

    @property
    def pid(self) -> int:
        return self.proc.pid

    def check(self) -> None:
        if self.proc.returncode is not None:
            tail = self.log.read_text(errors="replace")[-3000:]
            raise RuntimeError(f"{self.name} exited with {self.proc.returncode}:\n{tail}")

    async def stop(self) -> None:
        if self.proc.returncode is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                await asyncio.wait_for(self.proc.wait(), timeout=20)
            except TimeoutError:
                self.proc.kill()
                await self.proc.wait()


async def spawn(name: str, args: list[str], *, env: dict[str, str], log: Path) -> Child:
    with log.open("wb") as out:
        proc = await asyncio.create_subprocess_exec(
            sys.executable, *args, cwd=ROOT, env=env, stdout=out, stderr=out
        )
    return Child(name, proc, log)


async def _until(child: Child, ready: Callable[[], Awaitable[bool]], what: str) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while True:
        child.check()
        try:
            if await ready():
                return
        except (httpx.HTTPError, OSError):
            pass
        if time.monotonic() > deadline:
            raise RuntimeError(f"{child.name} did not {what} within {START_TIMEOUT:.0f}s; see {child.log}")
        await asyncio.sleep(0.2)


async def wait_polling(child: Child, client: Client, task_queue: str) -> None:
    """Until the worker process polls ``task_queue`` (its identity is ``pid@host``)."""
    request = DescribeTaskQueueRequest(
        namespace=client.namespace,
        task_queue=TaskQueue(name=task_queue),
        task_queue_type=TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW,
    )

    async def polling() -> bool:
        answer = await client.workflow_service.describe_task_queue(request)
        return any(p.identity.startswith(f"{child.pid}@") for p in answer.pollers)

    await _until(child, polling, f"poll {task_queue!r}")


async def wait_http(child: Child, url: str) -> None:
    async with httpx.AsyncClient(timeout=5) as http:

        async def healthy() -> bool:
            return (await http.get(url)).status_code == 200

        await _until(child, healthy, f"answer {url}")
