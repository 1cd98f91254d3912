"""``branch``: runs ``then`` or ``else`` as its condition says."""

from typing import TYPE_CHECKING, ClassVar, Literal

from pydantic import Field

from interpreter.steps.base import StepBase, Strict, SubList

if TYPE_CHECKING:
    from interpreter.definition import Step


class BranchData(Strict):
    if_: str = Field(alias="if")
    then: list["Step"] = Field(default_factory=list)
    else_: list["Step"] = Field(default_factory=list, alias="else")


class Branch(StepBase):
    type: Literal["branch"]
    data: BranchData

    sublists: ClassVar = (SubList("then", "then", "then"), SubList("else_", "else", "else"))
    expression_fields: ClassVar = ("if_",)
