"""Runs ``wait_for_event``: the inbox hands over the first matching event, or null at the timeout."""

from typing import Any

from interpreter.executors.base import StepRun, duration, executes
from interpreter.memory import Scope
from interpreter.steps.wait_for_event import WaitForEvent
from interpreter.summaries import summary


@executes(WaitForEvent)
async def run_wait(step: WaitForEvent, run: StepRun, scope: Scope, track: bool) -> dict[str, Any] | None:
    timeout = duration(step, step.data.timeout) if step.data.timeout else None
    return await run.inbox.wait(
        step, run.context(scope), within=timeout, summary=summary(step.id or "", step.type, scope)
    )
