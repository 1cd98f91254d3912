"""Step ids and tree walking: every step gets an id, nested sub-lists included."""

from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from interpreter.definition import FLOW_TYPES, Branch, Foreach, Parallel, Step

if TYPE_CHECKING:
    from interpreter.errors import Problems

UNION_TAGS = FLOW_TYPES | {"action"}


def default_id(step_type: str, index: int, prefix: str | None = None) -> str:
    """``email_2`` for the second step; ``branch_3_then_log_1`` inside a sub-list."""
    own = f"{''.join(c if c.isalnum() else '_' for c in step_type)}_{index + 1}"
    return f"{prefix}_{own}" if prefix else own


@dataclass(frozen=True)
class StepRef:
    step: Step
    loc: str
    depth: int

    @property
    def id(self) -> str:
        return self.step.id or ""


def assign_ids(
    steps: list[Step], *, list_shape: bool, problems: "Problems", loc: str, prefix: str | None = None
) -> list[Step]:
    """Copies of ``steps`` (and their sub-lists) with every id filled in."""
    out = []
    for index, step in enumerate(steps):
        step_id = step.id
        if step_id is None:
            if not list_shape and prefix is None:
                problems.add(f"{loc}[{index}].id", None, "a graph node needs an id")
            step_id = default_id(step.type, index, prefix)
        out.append(_with_children(step.model_copy(update={"id": step_id}), problems, f"{loc}[{index}]"))
    return out


def _with_children(step: Step, problems: "Problems", loc: str) -> Step:
    def sub(steps: list[Step], part: str, where: str) -> list[Step]:
        return assign_ids(steps, list_shape=True, problems=problems, loc=where, prefix=f"{step.id}_{part}")

    if isinstance(step, Branch):
        data = step.data.model_copy(
            update={
                "then": sub(step.data.then, "then", f"{loc}.data.then"),
                "else_": sub(step.data.else_, "else", f"{loc}.data.else"),
            }
        )
    elif isinstance(step, Parallel):
        data = step.data.model_copy(
            update={
                "branches": [
                    sub(b, f"b{k + 1}", f"{loc}.data.branches[{k}]") for k, b in enumerate(step.data.branches)
                ]
            }
        )
    elif isinstance(step, Foreach):
        data = step.data.model_copy(update={"do": sub(step.data.do, "do", f"{loc}.data.do")})
    else:
        return step
    return step.model_copy(update={"data": data})


def children(step: Step, loc: str) -> Iterator[tuple[list[Step], str]]:
    """The sub-lists of a step with their locations."""
    if isinstance(step, Branch):
        yield step.data.then, f"{loc}.data.then"
        yield step.data.else_, f"{loc}.data.else"
    elif isinstance(step, Parallel):
        for k, branch in enumerate(step.data.branches):
            yield branch, f"{loc}.data.branches[{k}]"
    elif isinstance(step, Foreach):
        yield step.data.do, f"{loc}.data.do"


def walk(steps: list[Step], loc: str, depth: int = 0) -> Iterator[StepRef]:
    """Every step, depth first, with its location in the document."""
    for index, step in enumerate(steps):
        here = f"{loc}[{index}]"
        yield StepRef(step=step, loc=here, depth=depth)
        for sub, where in children(step, here):
            yield from walk(sub, where, depth + 1)
