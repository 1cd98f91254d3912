"""The benchmark's unit of work: an action that does nothing, registered like any product action.

Loaded through ``Settings(action_modules="bench.noop_actions")``; the hand-written baseline
workflow calls the same activity by the same name with the same input type.
"""

import asyncio
from typing import Any

from pydantic import BaseModel

from activities import ActionContext, action

NOOP = "bench_noop"


class NoopIn(BaseModel):
    value: Any = None


class NoopOut(BaseModel):
    value: Any = None


@action(NOOP, input=NoopIn, output=NoopOut, description="does nothing; the benchmark's unit of work")
async def noop(data: NoopIn, ctx: ActionContext) -> NoopOut:
    return NoopOut(value=data.value)


IO = "bench_io"
IO_SECONDS = 0.1


@action(IO, input=NoopIn, output=NoopOut, description="waits 100 ms, like a call to a slow service")
async def io(data: NoopIn, ctx: ActionContext) -> NoopOut:
    await asyncio.sleep(IO_SECONDS)
    return NoopOut(value=data.value)
