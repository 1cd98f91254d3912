"""``return``: ends the run as completed with an output."""

from typing import Any, Literal

from pydantic import Field

from interpreter.steps.base import StepBase, Strict


class ReturnData(Strict):
    output: Any = None


class Return(StepBase):
    type: Literal["return"]
    data: ReturnData = Field(default_factory=ReturnData)
