"""Runs ``fail``: fails the step with the rendered message."""

from typing import NoReturn

from interpreter.executors.base import StepRun, executes
from interpreter.failures import StepFailed
from interpreter.memory import Scope
from interpreter.steps.fail import Fail


@executes(Fail)
async def run_fail(step: Fail, run: StepRun, scope: Scope, track: bool) -> NoReturn:
    raise StepFailed(step.id or "", str(run.render(step.data.message, scope)))
