"""``parallel``: runs its branches at once; the first failure cancels the others."""

from typing import TYPE_CHECKING, ClassVar, Literal

from pydantic import Field

from interpreter.steps.base import StepBase, Strict, SubList

if TYPE_CHECKING:
    from interpreter.definition import Step


class ParallelData(Strict):
    branches: list[list["Step"]] = Field(min_length=1)


class Parallel(StepBase):
    type: Literal["parallel"]
    data: ParallelData

    sublists: ClassVar = (SubList("branches", "branches", "b", nested=True),)
