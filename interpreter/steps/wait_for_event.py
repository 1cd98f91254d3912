"""``wait_for_event``: waits for a matching event, or until its timeout (output null)."""

from typing import ClassVar, Literal

from pydantic import Field

from interpreter.steps.base import StepBase, Strict


class WaitData(Strict):
    # No control characters: stored as text with the run's subscriptions (PostgreSQL refuses NUL).
    event: str = Field(min_length=1, pattern=r"^[^\x00-\x1f\x7f-\x9f]*$")
    match: str | None = None
    if_: str | None = Field(None, alias="if")
    timeout: str | None = None


class WaitForEvent(StepBase):
    type: Literal["wait_for_event"]
    data: WaitData

    expression_fields: ClassVar = ("if_", "match")
    duration_fields: ClassVar = ("timeout",)
