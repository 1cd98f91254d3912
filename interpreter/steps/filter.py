"""``filter``: ends the run as filtered unless the event passes."""

from typing import Any, ClassVar, Literal

from pydantic import Field, model_validator

from interpreter.steps.base import StepBase, Strict


class FilterData(Strict):
    field: str | None = None
    value: Any = None
    if_: str | None = Field(None, alias="if")

    @model_validator(mode="after")
    def _one_form(self) -> "FilterData":
        if (self.field is None) == (self.if_ is None):
            raise ValueError("filter takes either {field, value} or {if}")
        return self


class Filter(StepBase):
    type: Literal["filter"]
    data: FilterData

    expression_fields: ClassVar = ("if_",)
