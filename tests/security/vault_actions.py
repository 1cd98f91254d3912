"""Test-only actions whose outputs and errors are derived from, but unlike, their input, so a
search of the history for each one proves each direction is encrypted on its own."""

import hashlib

from pydantic import BaseModel

from activities import ActionContext, RetryDefaults, action
from activities.errors import permanent

ONCE = RetryDefaults(max_attempts=1)


def sealed(value: str) -> str:
    """What ``security_seal`` answers for ``value``."""
    return "sealed-" + hashlib.sha256(value.encode()).hexdigest()


def refusal(value: str) -> str:
    """The error message ``security_refuse`` fails with for ``value``."""
    return "refused-" + hashlib.sha256(value[::-1].encode()).hexdigest()


class TextIn(BaseModel):
    value: str
    repeat: int = 1


class TextOut(BaseModel):
    value: str


@action("security_seal", input=TextIn, output=TextOut, description="a digest of value, repeated", retry=ONCE)
async def seal(data: TextIn, ctx: ActionContext) -> TextOut:
    return TextOut(value=sealed(data.value) * data.repeat)


@action("security_refuse", input=TextIn, output=TextOut, description="fails, naming value", retry=ONCE)
async def refuse(data: TextIn, ctx: ActionContext) -> TextOut:
    raise permanent(refusal(data.value), kind="Refused")
