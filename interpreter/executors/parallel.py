"""Runs ``parallel``: its branches at once, as asyncio tasks on the deterministic loop."""

from typing import Any

from interpreter.definition import Step
from interpreter.executors.base import StepRun, all_or_cancel, executes
from interpreter.failures import STEP_ERRORS
from interpreter.memory import Scope
from interpreter.steps.parallel import Parallel


@executes(Parallel)
async def run_parallel(step: Parallel, run: StepRun, scope: Scope, track: bool) -> list[Any]:
    # With on_error: continue, a failed branch gives null and the others go on.
    tolerant = step.on_error == "continue"

    async def branch(steps: list[Step]) -> Any:
        try:
            return await run.run_sequence(steps, scope, track=track)
        except STEP_ERRORS:
            if tolerant:
                return None
            raise

    return await all_or_cancel([branch(b) for b in step.data.branches])
