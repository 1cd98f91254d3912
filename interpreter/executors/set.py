"""Runs ``set``: renders its data into the run's variables."""

from typing import Any

from interpreter.executors.base import StepRun, executes, restores
from interpreter.memory import RunMemory, Scope
from interpreter.steps.set import SetVars


@executes(SetVars)
async def run_set(step: SetVars, run: StepRun, scope: Scope, track: bool) -> dict[str, Any]:
    values: dict[str, Any] = run.render(step.data, scope)
    run.memory.vars.update(values)
    return values


@restores(SetVars)
def restore_set(step: SetVars, memory: RunMemory, output: Any) -> None:
    """A rerun reuses a ``set`` step's output: the variables it set are set again."""
    if isinstance(output, dict):
        memory.vars.update(output)
