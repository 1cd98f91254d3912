"""``fail``: fails the step with a message (its ``on_error`` decides what follows)."""

from typing import Literal

from pydantic import Field

from interpreter.steps.base import StepBase, Strict


class FailData(Strict):
    message: str = "failed"


class Fail(StepBase):
    type: Literal["fail"]
    data: FailData = Field(default_factory=FailData)
