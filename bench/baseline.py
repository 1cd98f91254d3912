"""The hand-written Temporal workflow Relay is measured against.

It does what a developer would write by hand for the same job: call the no-op action's
activity (same name, same ``ActionRequest`` input, same timeout and retry policy as a
compiled Relay step), sleep on a timer, wait for a signal, or run a child workflow.
Only the interpreter differs.
"""

import asyncio
from datetime import timedelta
from typing import Literal

from pydantic import BaseModel
from temporalio import workflow
from temporalio.common import RetryPolicy

with workflow.unsafe.imports_passed_through():
    from bench.noop_actions import NOOP
    from interpreter.contract import ActionRequest, ActionResponse, EventPayload

BASELINE_WORKFLOW = "BenchBaseline"
EVENT_SIGNAL = "bench_event"
WAITING_QUERY = "waiting_for"

# The options a compiled Relay step carries for an action with the registry's defaults.
ACTION_TIMEOUT = timedelta(minutes=5)
ACTION_RETRY = RetryPolicy(
    initial_interval=timedelta(seconds=1),
    backoff_coefficient=2.0,
    maximum_interval=timedelta(minutes=1),
    maximum_attempts=5,
)

Kind = Literal["action", "parallel", "sleep", "signal", "child", "none"]


class BaselineInput(BaseModel):
    run_id: str
    steps: int = 1
    kind: Kind = "action"
    sleep_ms: int = 100


class BaselineResult(BaseModel):
    steps: int


@workflow.defn(name=BASELINE_WORKFLOW)
class BenchBaseline:
    def __init__(self) -> None:
        self._events: list[EventPayload] = []
        self._waiting: int | None = None

    @workflow.run
    async def run(self, job: BaselineInput) -> BaselineResult:
        for index in range(job.steps):
            step = f"step_{index + 1}"
            match job.kind:
                case "action":
                    await self._noop(job, step)
                case "parallel":
                    await asyncio.gather(self._noop(job, f"{step}_a"), self._noop(job, f"{step}_b"))
                case "sleep":
                    await workflow.sleep(timedelta(milliseconds=job.sleep_ms), summary=step)
                case "signal":
                    self._waiting = index
                    await workflow.wait_condition(lambda: bool(self._events))
                    self._events.pop(0)
                    self._waiting = None
                case "child":
                    await workflow.execute_child_workflow(
                        BASELINE_WORKFLOW,
                        BaselineInput(run_id=f"{job.run_id}.{step}", steps=0),
                        id=f"{workflow.info().workflow_id}.{step}",
                        result_type=BaselineResult,
                    )
        return BaselineResult(steps=job.steps)

    async def _noop(self, job: BaselineInput, step: str) -> None:
        await workflow.execute_activity(
            NOOP,
            ActionRequest(account_id="bench", run_id=job.run_id, workflow_id="baseline", step_id=step),
            result_type=ActionResponse,
            start_to_close_timeout=ACTION_TIMEOUT,
            retry_policy=ACTION_RETRY,
            summary=f"{step} ({NOOP}) in {workflow.info().workflow_id}"[:200],
        )

    @workflow.signal(name=EVENT_SIGNAL)
    def event(self, event: EventPayload) -> None:
        self._events.append(event)

    @workflow.query(name=WAITING_QUERY)
    def waiting_for(self) -> int | None:
        return self._waiting
