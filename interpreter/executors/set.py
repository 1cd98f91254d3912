"""Runs ``set``: renders its data into the run's variables."""

from typing import Any

from interpreter.executors.base import StepRun, executes
from interpreter.memory import Scope
from interpreter.steps.set import SetVars


@executes(SetVars)
async def run_set(step: SetVars, run: StepRun, scope: Scope, track: bool) -> dict[str, Any]:
    values: dict[str, Any] = run.render(step.data, scope)
    run.memory.vars.update(values)
    return values
