"""Step ids and tree walking: every step gets an id, nested sub-lists included."""

from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from interpreter.steps.base import Child, StepBase

if TYPE_CHECKING:
    from interpreter.errors import Problems


def default_id(step_type: str, index: int, prefix: str | None = None) -> str:
    """``email_2`` for the second step; ``branch_3_then_log_1`` inside a sub-list."""
    own = f"{''.join(c if c.isalnum() else '_' for c in step_type)}_{index + 1}"
    return f"{prefix}_{own}" if prefix else own


@dataclass(frozen=True)
class StepRef:
    step: StepBase
    loc: str
    depth: int

    @property
    def id(self) -> str:
        return self.step.id or ""


def assign_ids(
    steps: list[StepBase], *, list_shape: bool, problems: "Problems", loc: str, prefix: str | None = None
) -> list[StepBase]:
    """Copies of ``steps`` (and their sub-lists) with every id filled in."""
    out = []
    for index, step in enumerate(steps):
        step_id = step.id
        if step_id is None:
            if not list_shape and prefix is None:
                problems.add(f"{loc}[{index}].id", None, "a graph node needs an id")
            step_id = default_id(step.type, index, prefix)
        named = step if step_id == step.id else step.model_copy(update={"id": step_id})
        out.append(_with_child_ids(named, f"{loc}[{index}]", problems))
    return out


def _with_child_ids(step: StepBase, loc: str, problems: "Problems") -> StepBase:
    def with_ids(child: Child) -> list[StepBase]:
        where, prefix = f"{loc}.{child.loc}", f"{step.id}_{child.part}"
        return assign_ids(child.steps, list_shape=True, problems=problems, loc=where, prefix=prefix)

    return step.map_children(with_ids)


def walk(steps: list[StepBase], loc: str, depth: int = 0) -> Iterator[StepRef]:
    """Every step, depth first, with its location in the document."""
    for index, step in enumerate(steps):
        here = f"{loc}[{index}]"
        yield StepRef(step=step, loc=here, depth=depth)
        for child in step.children():
            yield from walk(child.steps, f"{here}.{child.loc}", depth + 1)
