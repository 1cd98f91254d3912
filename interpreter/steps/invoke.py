"""``invoke``: runs another published workflow as a child run."""

from typing import Any, Literal

from pydantic import Field

from interpreter.steps.base import StepBase, Strict


class InvokeData(Strict):
    workflow: str = Field(min_length=1)
    input: Any = None
    wait: bool = True


class Invoke(StepBase):
    type: Literal["invoke"]
    data: InvokeData
