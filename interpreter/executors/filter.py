"""Runs ``filter``: ends the run as filtered unless the event (or the run's input) passes."""

from interpreter.executors.base import StepRun, executes
from interpreter.failures import RunEnded
from interpreter.memory import Scope
from interpreter.steps.filter import Filter


@executes(Filter)
async def run_filter(step: Filter, run: StepRun, scope: Scope, track: bool) -> bool:
    if step.data.if_ is not None:
        passed = run.truthy(step.data.if_, scope)
    else:
        memory = run.memory
        data = memory.event.data if memory.event else memory.input.input
        passed = data.get(step.data.field or "") == step.data.value
    if not passed:
        raise RunEnded("filtered")
    return True
