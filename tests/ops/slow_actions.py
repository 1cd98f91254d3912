"""A product action module for the failover test (loaded by ``relay worker`` through
RELAY_ACTION_MODULES): an action that says where each attempt started, then runs long."""

import asyncio
import os
import time
from datetime import timedelta

from pydantic import BaseModel

from activities.context import ActionContext
from activities.registry import RetryDefaults, action


class NapIn(BaseModel):
    report_to: str
    seconds: float = 30.0


class NapOut(BaseModel):
    attempt: int
    pid: int


@action(
    "test_long_nap",
    input=NapIn,
    output=NapOut,
    description="Report the attempt, pid and time to report_to, then sleep (a long, healthy action)",
    timeout=timedelta(minutes=5),
    retry=RetryDefaults(max_attempts=3, initial_interval=timedelta(seconds=1)),
)
async def long_nap(data: NapIn, ctx: ActionContext) -> NapOut:
    report = {"attempt": ctx.attempt, "pid": os.getpid(), "at": time.time()}
    answer = await ctx.http.post(data.report_to, json=report)
    answer.raise_for_status()
    await asyncio.sleep(data.seconds)  # never heartbeats itself: the runtime does
    return NapOut(attempt=ctx.attempt, pid=os.getpid())
