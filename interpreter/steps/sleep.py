"""``sleep``: a durable timer, for a duration or until a time."""

from typing import ClassVar, Literal

from pydantic import model_validator

from interpreter.steps.base import StepBase, Strict


class SleepData(Strict):
    duration: str | None = None
    until: str | None = None

    @model_validator(mode="after")
    def _one_form(self) -> "SleepData":
        if (self.duration is None) == (self.until is None):
            raise ValueError("sleep takes either duration or until")
        return self


class Sleep(StepBase):
    type: Literal["sleep"]
    data: SleepData

    duration_fields: ClassVar = ("duration",)
