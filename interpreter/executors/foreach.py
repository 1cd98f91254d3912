"""Runs ``foreach``: ``do`` per item, a few at a time; a long list runs in child runs."""

import asyncio
from typing import Any

from interpreter import engine
from interpreter.executors.base import StepRun, all_or_cancel, executes
from interpreter.failures import RunEnded, StepFailed
from interpreter.foreach_chunks import chunk_size, run_in_children
from interpreter.memory import Scope
from interpreter.steps.foreach import Foreach

# The ``type`` of a foreach item's row.
ITEM = "item"


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
    # Each item is one row, ``<id>[<index>]`` (``pending`` until it starts); the steps inside an
    # iteration are not tracked one by one.
    mark = run.memory.mark if track else _no_mark
    rows = [f"{step.id}[{offset + index}]" for index in range(len(items))]
    for row in rows:
        mark(row, ITEM, "pending", engine.now())

    async def one(index: int, item: Any) -> Any:
        async with limit:
            child = scope.child(item, offset + index, of=step.id)
            mark(rows[index], ITEM, "running", engine.now())
            try:
                output = await run.run_sequence(step.data.do, child, track=False)
            except StepFailed as exc:
                if _being_cancelled():  # a sibling failed: its action ended as a failure
                    mark(rows[index], ITEM, "cancelled", engine.now())
                else:
                    mark(rows[index], ITEM, "failed", engine.now(), error=exc.message)
                raise StepFailed(exc.step_id, f"item {offset + index}: {exc.message}") from None
            except RunEnded as ended:
                mark(rows[index], ITEM, "completed", engine.now(), output=ended.output)
                raise
            except asyncio.CancelledError:
                mark(rows[index], ITEM, "cancelled", engine.now())
                raise
            mark(rows[index], ITEM, "completed", engine.now(), output=output)
            return output

    return await all_or_cancel([one(i, item) for i, item in enumerate(items)])


def _being_cancelled() -> bool:
    task = asyncio.current_task()
    return task is not None and task.cancelling() > 0


def _no_mark(*_args: Any, **_kwargs: Any) -> None:
    pass
