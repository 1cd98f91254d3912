"""Runs ``foreach``: ``do`` per item, a few at a time; a long list runs in child runs."""

import asyncio
from typing import Any

from interpreter.executors.base import StepRun, all_or_cancel, executes
from interpreter.failures import StepFailed
from interpreter.foreach_chunks import chunk_size, run_in_children
from interpreter.memory import Scope
from interpreter.steps.foreach import Foreach


@executes(Foreach)
async def run_foreach(step: Foreach, run: StepRun, scope: Scope, track: bool) -> list[Any]:
    items = run.evaluate(step.data.items, scope)
    if items is None:
        items = []
    if not isinstance(items, list):
        items = [items]
    if len(items) > chunk_size(step):
        return await run_in_children(step, items, scope, run.memory)
    limit = asyncio.Semaphore(step.data.concurrency)
    offset = step.data.index_offset

    async def one(index: int, item: Any) -> Any:
        async with limit:
            child = scope.child(item, offset + index)
            try:
                # Iterations are not tracked: one view per step, not per item.
                return await run.run_sequence(step.data.do, child, track=False)
            except StepFailed as exc:
                raise StepFailed(exc.step_id, f"item {offset + index}: {exc.message}") from None

    return await all_or_cancel([one(i, item) for i, item in enumerate(items)])
