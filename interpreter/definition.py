"""The definition language: a workflow document, its compiled form, and the union of step kinds.

The kinds live in ``interpreter.steps``, one module each; ``Step`` is their discriminated
union. Flow types (the kinds the workflow runs itself) are derived from it; every other
``type`` names a registered action.
"""

import operator
from functools import reduce
from typing import TYPE_CHECKING, Annotated, Any, TypeAlias

from pydantic import BaseModel, Discriminator, Field, PlainSerializer, Tag, model_validator

from interpreter.flow_control import Concurrency, Debounce, Priority, Throttle
from interpreter.steps import ACTION, KINDS, StepBase
from interpreter.steps.base import Strict

TRIGGER = "$trigger"
# Names stored as text and matched against events: no control character (C0, DEL, C1).
NO_CONTROL = r"^[^\x00-\x1f\x7f-\x9f]*$"
# Every tag of the union; pydantic puts the tag in an error's location.
STEP_TAGS = frozenset(KINDS)
FLOW_TYPES = STEP_TAGS - {ACTION}


def _step_tag(value: Any) -> str:
    kind = value.get("type") if isinstance(value, dict) else getattr(value, "type", None)
    return kind if kind in FLOW_TYPES else ACTION


if TYPE_CHECKING:
    Step: TypeAlias = StepBase
else:
    Step = Annotated[
        reduce(operator.or_, (Annotated[kind, Tag(tag)] for tag, kind in KINDS.items())),
        Discriminator(_step_tag),
    ]


class Edge(Strict):
    source: str
    target: str
    if_: str | None = Field(None, alias="if")


class Trigger(Strict):
    event: str | None = Field(None, pattern=NO_CONTROL)
    if_: str | None = Field(None, alias="if")


class CancelOn(Strict):
    event: str = Field(min_length=1, pattern=NO_CONTROL)
    match: str | None = None


class Definition(Strict):
    """A workflow as its author wrote it: the list shape (``actions``) or the graph shape."""

    # No control characters: stored as text (PostgreSQL refuses NUL), shown in lists and the UI.
    name: str = Field(min_length=1, max_length=200, pattern=NO_CONTROL)
    description: str | None = None
    trigger: Trigger = Field(default_factory=Trigger)
    actions: list[Step] | None = None
    nodes: list[Step] | None = None
    edges: list[Edge] = Field(default_factory=list)
    cancel_on: list[CancelOn] = Field(default_factory=list)
    # Flow control (SPEC §8, ``interpreter.flow_control``): applied before a run starts.
    concurrency: Concurrency | None = None
    throttle: Throttle | None = None
    debounce: Debounce | None = None
    priority: Priority | None = None

    @model_validator(mode="after")
    def _one_shape(self) -> "Definition":
        if (self.actions is None) == (self.nodes is None):
            raise ValueError("a definition has either 'actions' (list) or 'nodes' and 'edges'")
        if self.actions is not None and self.edges:
            raise ValueError("'edges' belong to the graph shape ('nodes'), not to 'actions'")
        return self


class CompiledDefinition(Strict):
    """The normalised graph the workflow runs: every step has an id, edges are explicit,
    action defaults are filled in. Frozen with each version."""

    name: str
    trigger: Trigger = Field(default_factory=Trigger)
    nodes: list[Step]
    edges: list[Edge] = Field(default_factory=list)
    entry: list[str]
    cancel_on: list[CancelOn] = Field(default_factory=list)
    # None unless set, so versions and histories without them keep their stored form.
    concurrency: Concurrency | None = None
    throttle: Throttle | None = None
    debounce: Debounce | None = None
    priority: Priority | None = None

    def as_json(self) -> dict[str, Any]:
        """The stored and transported form: aliases (``if``, ``else``), no null fields."""
        return self.model_dump(mode="json", by_alias=True, exclude_none=True)


# How a compiled definition travels in a run's input: as its stored JSON form, so a payload
# is byte for byte what the stored dict gave before (and what recorded histories hold).
PinnedDefinition = Annotated[CompiledDefinition, PlainSerializer(CompiledDefinition.as_json)]


def _complete(model: type[BaseModel]) -> None:
    """Kinds with sub-lists name ``Step`` before it exists; resolve it now."""
    for sub in model.__subclasses__():
        if not sub.__pydantic_complete__:
            sub.model_rebuild(_types_namespace={"Step": Step})
        _complete(sub)


_complete(Strict)
