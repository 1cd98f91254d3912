"""What every step kind shares: the common fields, and its structure read from class variables.

A kind declares where its sub-lists, bare expressions and durations sit in its ``data``;
walking, id assignment, save-time checks and finalising are written once, here.
"""

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any, ClassVar, Self

from pydantic import BaseModel, ConfigDict, Field

from interpreter import expressions
from interpreter.steps.checks import ActionInfo, StepCheck

ID_PATTERN = r"^[A-Za-z_][A-Za-z0-9_]*$"


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)


class Retry(Strict):
    max_attempts: int | None = Field(None, ge=1, le=1000)
    initial_interval: str | None = None
    backoff: float | None = Field(None, ge=1)
    max_interval: str | None = None
    non_retryable_errors: list[str] = Field(default_factory=list)


class Position(BaseModel):
    x: float = 0
    y: float = 0


@dataclass(frozen=True)
class SubList:
    """A field of ``data`` that holds steps; ``nested`` for a list of such lists."""

    attr: str  # the attribute, e.g. "else_"
    key: str  # as written in a document, e.g. "else"
    part: str  # in the default ids of its steps: "then" gives branch_1_then_log_1
    nested: bool = False  # parallel's branches: part "b" gives b1, b2, ...

    def part_of(self, index: int | None) -> str:
        return f"{self.part}{index + 1}" if self.nested and index is not None else self.part


@dataclass(frozen=True)
class Child:
    """One sub-list of a step, with its location relative to the step."""

    steps: list["StepBase"]
    loc: str  # "data.then", "data.branches[0]"
    part: str  # "then", "b1"


class StepBase(Strict):
    """What every action and node may carry besides its type and data.

    A kind is a direct subclass whose ``type`` is the ``Literal`` of its tag (the action
    kind's is any string), with its ``data`` model and the class variables below.
    """

    id: str | None = Field(None, pattern=ID_PATTERN)
    if_: str | None = Field(None, alias="if")
    retry: Retry | None = None
    timeout: str | None = None
    # Actions that run long must heartbeat within this; None for quick actions.
    heartbeat: str | None = None
    on_error: str = "fail"
    position: Position | None = None
    name: str | None = None
    type: str
    data: Any

    sublists: ClassVar[tuple[SubList, ...]] = ()
    # Attributes of ``data`` holding a bare expression (no ``{{ }}``) or a duration.
    expression_fields: ClassVar[tuple[str, ...]] = ()
    duration_fields: ClassVar[tuple[str, ...]] = ()

    def children(self) -> Iterator[Child]:
        """The sub-lists of this step, in document order."""
        for sub in self.sublists:
            yield from self._children_of(sub)

    def map_children(self, change: Callable[[Child], list["StepBase"]]) -> Self:
        """A copy with every sub-list replaced by ``change(child)``."""
        if not self.sublists:
            return self
        update: dict[str, Any] = {}
        for sub in self.sublists:
            changed = [change(child) for child in self._children_of(sub)]
            update[sub.attr] = changed if sub.nested else changed[0]
        return self.model_copy(update={"data": self.data.model_copy(update=update)})

    def durations(self) -> Iterator[tuple[str, str]]:
        """(field, duration) for every duration this step carries ("" included: it is refused)."""
        if self.timeout is not None:
            yield "timeout", self.timeout
        if self.heartbeat is not None:
            yield "heartbeat", self.heartbeat
        if self.retry:
            for attr in ("initial_interval", "max_interval"):
                value = getattr(self.retry, attr)
                if value is not None:
                    yield f"retry.{attr}", value
        for field, value in self._data_fields(self.duration_fields):
            if value is not None:
                yield field, value

    def bare_expressions(self) -> Iterator[tuple[str, str]]:
        """(field, source) for the fields of ``data`` that hold a bare expression."""
        for field, value in self._data_fields(self.expression_fields):
            if value is not None:
                yield field, value

    def templates(self) -> Iterator[tuple[str, str]]:
        """(field, source) for every ``{{ }}`` in ``data``, sub-lists excluded."""
        data = self.data
        if isinstance(data, BaseModel):
            data = data.model_dump(by_alias=True, exclude={sub.attr for sub in self.sublists})
        yield from data_templates(data)

    def check(self, check: StepCheck) -> None:
        """Save-time checks of this step's own data (sub-lists are checked as steps)."""
        for field, source in self.templates():
            if expressions.mentions_secrets(source):
                check.problem(field, "secrets.* may appear only in action data")
            else:
                check.expression(field, source)

    def finalise(self, actions: Mapping[str, ActionInfo]) -> Self:
        """The step as the run needs it: defaults filled in, so the run needs no registry."""
        return self.map_children(lambda child: [step.finalise(actions) for step in child.steps])

    def _children_of(self, sub: SubList) -> Iterator[Child]:
        value = getattr(self.data, sub.attr)
        if not sub.nested:
            yield Child(value, f"data.{sub.key}", sub.part)
            return
        for index, steps in enumerate(value):
            yield Child(steps, f"data.{sub.key}[{index}]", sub.part_of(index))

    def _data_fields(self, attrs: tuple[str, ...]) -> Iterator[tuple[str, Any]]:
        if not attrs:
            return
        fields = type(self.data).model_fields
        for attr in attrs:
            yield f"data.{fields[attr].alias or attr}", getattr(self.data, attr)


def data_templates(value: Any, path: str = "data") -> Iterator[tuple[str, str]]:
    """(field path, expression) for every ``{{ }}`` in nested data."""
    if isinstance(value, str):
        for source in expressions.templates_in(value):
            yield path, source
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from data_templates(item, f"{path}.{key}")
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from data_templates(item, f"{path}[{index}]")
