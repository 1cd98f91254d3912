"""``foreach``: runs ``do`` once per item, a few at a time."""

from typing import TYPE_CHECKING, ClassVar, Literal

from pydantic import Field

from interpreter.steps.base import StepBase, Strict, SubList

if TYPE_CHECKING:
    from interpreter.definition import Step


class ForeachData(Strict):
    items: str
    do: list["Step"] = Field(min_length=1)
    concurrency: int = Field(1, ge=1, le=100)
    # Index of the first item: set when a long list is split across child runs.
    index_offset: int = Field(0, ge=0)


class Foreach(StepBase):
    type: Literal["foreach"]
    data: ForeachData

    sublists: ClassVar = (SubList("do", "do", "do"),)
    expression_fields: ClassVar = ("items",)
