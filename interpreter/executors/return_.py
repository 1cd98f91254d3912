"""Runs ``return``: ends the run as completed with the rendered output."""

from typing import NoReturn

from interpreter.executors.base import StepRun, executes
from interpreter.failures import RunEnded
from interpreter.memory import Scope
from interpreter.steps.return_ import Return


@executes(Return)
async def run_return(step: Return, run: StepRun, scope: Scope, track: bool) -> NoReturn:
    raise RunEnded("completed", run.render(step.data.output, scope))
