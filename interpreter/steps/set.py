"""``set``: renders its data into run variables (``vars.<name>``)."""

from typing import Any, Literal

from pydantic import Field

from interpreter.steps.base import StepBase


class SetVars(StepBase):
    type: Literal["set"]
    data: dict[str, Any] = Field(min_length=1)
