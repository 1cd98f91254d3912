"""Test-only actions registered through the same decorator a product uses."""

from typing import Any

from pydantic import BaseModel, ConfigDict
from temporalio import activity

from activities import ActionContext, RetryDefaults, action
from activities.errors import permanent, transient

CALLS: dict[str, list[Any]] = {}


class EchoIn(BaseModel):
    model_config = ConfigDict(extra="allow")

    value: Any = None
    delay_ms: int = 0


class EchoOut(BaseModel):
    value: Any = None
    started: str | None = None
    ended: str | None = None


@action(
    "test_echo",
    input=EchoIn,
    output=EchoOut,
    description="returns its value",
    retry=RetryDefaults(max_attempts=3, initial_interval=__import__("datetime").timedelta(milliseconds=100)),
)
async def echo(data: EchoIn, ctx: ActionContext) -> EchoOut:
    import asyncio
    from datetime import UTC, datetime

    started = datetime.now(UTC).isoformat()
    if data.delay_ms:
        await asyncio.sleep(data.delay_ms / 1000)
    CALLS.setdefault(ctx.run_id, []).append((ctx.step_id, data.value))
    return EchoOut(value=data.value, started=started, ended=datetime.now(UTC).isoformat())


class FlakyIn(BaseModel):
    fail_times: int = 0
    permanent: bool = False


@action(
    "test_flaky",
    input=FlakyIn,
    output=EchoOut,
    description="fails, then succeeds",
    retry=RetryDefaults(max_attempts=4, initial_interval=__import__("datetime").timedelta(milliseconds=100)),
)
async def flaky(data: FlakyIn, ctx: ActionContext) -> EchoOut:
    if data.permanent:
        raise permanent("this cannot work", kind="Broken")
    if activity.info().attempt <= data.fail_times:
        raise transient(f"attempt {activity.info().attempt} failed")
    return EchoOut(value=activity.info().attempt)


class BigIn(BaseModel):
    size: int


@action("test_big", input=BigIn, output=EchoOut, description="returns a string of `size` bytes")
async def big(data: BigIn, ctx: ActionContext) -> EchoOut:
    return EchoOut(value="x" * data.size)
