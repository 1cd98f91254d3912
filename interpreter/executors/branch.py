"""Runs ``branch``: the ``then`` or the ``else`` sub-list, as its condition says."""

from typing import Any

from interpreter.executors.base import StepRun, executes
from interpreter.memory import Scope
from interpreter.steps.branch import Branch


@executes(Branch)
async def run_branch(step: Branch, run: StepRun, scope: Scope, track: bool) -> Any:
    chosen = step.data.then if run.truthy(step.data.if_, scope) else step.data.else_
    return await run.run_sequence(chosen, scope, track=track)
