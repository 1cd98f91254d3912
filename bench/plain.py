"""Plain Temporal: what a developer writes by hand for the benchmark's jobs, with the SDK's
defaults (default data converter, default sandbox, default worker options) and nothing of
Relay's. It is the baseline the interpreter is measured against, and its local-activity
variant is the floor: the engine's own cost of a step on this server.

The activity does what Relay's ``bench_noop`` action does (nothing), or what ``bench_io``
does (waits 100 ms, like a call to a slow service).
"""

import asyncio
from dataclasses import dataclass
from datetime import timedelta
from typing import Literal

from temporalio import activity, workflow
from temporalio.common import RetryPolicy

PLAIN_WORKFLOW = "PlainChain"
PLAIN_TASK_QUEUE = "bench-plain"
IO_SECONDS = 0.1

# The timeout and retry policy a compiled Relay step carries by default.
TIMEOUT = timedelta(minutes=5)
RETRY = RetryPolicy(initial_interval=timedelta(seconds=1), maximum_interval=timedelta(minutes=1),
                    maximum_attempts=5)  # fmt: skip

Kind = Literal["activity", "local", "io", "sleep"]


@dataclass
class PlainJob:
    steps: int
    kind: Kind = "activity"
    sleep_ms: int = 0


@activity.defn(name="plain_noop")
async def plain_noop(step: str) -> str:
    return step


@activity.defn(name="plain_io")
async def plain_io(step: str) -> str:
    await asyncio.sleep(IO_SECONDS)
    return step


@workflow.defn(name=PLAIN_WORKFLOW)
class PlainChain:
    @workflow.run
    async def run(self, job: PlainJob) -> int:
        for index in range(job.steps):
            step = f"step_{index + 1}"
            if job.kind == "local":
                await workflow.execute_local_activity(
                    plain_noop, step, start_to_close_timeout=TIMEOUT, retry_policy=RETRY
                )
            elif job.kind == "sleep":
                await workflow.sleep(timedelta(milliseconds=job.sleep_ms))
            else:
                await workflow.execute_activity(
                    plain_io if job.kind == "io" else plain_noop,
                    step,
                    start_to_close_timeout=TIMEOUT,
                    retry_policy=RETRY,
                )
        return job.steps
