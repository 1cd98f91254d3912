"""Save-time validation and normalisation: a definition document becomes a CompiledDefinition.

Everything that can be known before a run is checked here, so a bad definition never
reaches Temporal: shape, unknown action types, action data against the action's input
model, graph structure, expressions, durations and step references. Every error names
the node and the field at fault. What a step kind checks of its own data is its own
``check``; this module runs the checks every step shares.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError

from interpreter import expressions
from interpreter.definition import TRIGGER, CompiledDefinition, Definition, Edge, Step
from interpreter.durations import DurationError, parse_duration
from interpreter.errors import Problems
from interpreter.graph import check_graph
from interpreter.steps.checks import ActionInfo
from interpreter.steps.tree import StepRef, assign_ids, walk

__all__ = ["ActionInfo", "Compiled", "DefinitionError", "compile_definition"]


@dataclass(frozen=True)
class Compiled:
    definition: dict[str, Any]
    trigger_event: str | None


class DefinitionError(ValueError):
    """The definition is not valid; ``errors`` lists each fault with its location and node."""

    def __init__(self, errors: list[dict[str, Any]]) -> None:
        super().__init__("; ".join(f"{e['loc']}: {e['message']}" for e in errors))
        self.errors = errors


def compile_definition(document: Any, actions: Mapping[str, ActionInfo]) -> Compiled:
    """Validate ``document`` and return the normalised graph the workflow runs."""
    if not isinstance(document, dict):
        raise DefinitionError([{"loc": "definition", "node": None, "message": "must be an object"}])
    try:
        definition = Definition.model_validate(document)
    except ValidationError as exc:
        raise DefinitionError(Problems.from_validation(exc, document)) from None

    problems = Problems()
    top = definition.actions if definition.actions is not None else definition.nodes or []
    shape = "actions" if definition.actions is not None else "nodes"
    top = assign_ids(top, list_shape=definition.actions is not None, problems=problems, loc=shape)
    refs = list(walk(top, shape))
    ids = _unique_ids(refs, problems)
    for ref in refs:
        _check_step(ref, _Check(ref, ids, actions, problems))
    nodes = [ref.step for ref in refs if ref.depth == 0]
    edges, entry = _top_edges(definition, nodes, problems)
    _check_expressions_outside_steps(definition, ids, problems)
    problems.raise_if_any(DefinitionError)

    compiled = CompiledDefinition(
        name=definition.name,
        trigger=definition.trigger,
        nodes=[step.finalise(actions) for step in nodes],
        edges=edges,
        entry=entry,
        cancel_on=definition.cancel_on,
    )
    return Compiled(definition=compiled.as_json(), trigger_event=definition.trigger.event)


@dataclass(frozen=True)
class _Check:
    """The checks of one step, reported against its location and node (a ``StepCheck``)."""

    ref: StepRef
    ids: set[str]
    actions: Mapping[str, ActionInfo]
    problems: Problems

    def problem(self, field: str, message: str) -> None:
        self.problems.add(f"{self.ref.loc}.{field}", self.ref.id, message)

    def expression(self, field: str, source: str) -> None:
        _check_expression(source, f"{self.ref.loc}.{field}", self.ref.id, self.ids, self.problems)


def _check_step(ref: StepRef, check: _Check) -> None:
    """What every step shares: ``if``, durations, ``on_error``, bare expressions; then its own."""
    step = ref.step
    if step.if_ is not None:
        check.expression("if", step.if_)
    for field, value in step.durations():
        try:
            parse_duration(value)
        except DurationError as exc:
            check.problem(field, str(exc))
    if step.on_error not in ("fail", "continue"):
        if ref.depth != 0:
            check.problem("on_error", "inside a sub-list, on_error is fail or continue")
        elif step.on_error not in check.ids:
            check.problem("on_error", f"no step with id {step.on_error!r} to go to")
    for field, source in step.bare_expressions():
        check.expression(field, source)
    step.check(check)


def _unique_ids(refs: list[StepRef], problems: Problems) -> set[str]:
    seen: dict[str, str] = {}
    for ref in refs:
        if ref.id in seen:
            problems.add(f"{ref.loc}.id", ref.id, f"id {ref.id!r} is already used by {seen[ref.id]}")
        seen.setdefault(ref.id, ref.loc)
    return set(seen)


def _top_edges(definition: Definition, nodes: list[Step], problems: Problems) -> tuple[list[Edge], list[str]]:
    ids = [node.id or "" for node in nodes]
    if definition.actions is not None:
        chain = [Edge(source=a, target=b) for a, b in zip(ids, ids[1:], strict=False)]
        return chain, ids[:1]
    edges = [e for e in definition.edges if e.source != TRIGGER]
    entry = [e.target for e in definition.edges if e.source == TRIGGER] or ids[:1]
    check_graph(ids, definition.edges, entry, problems)
    for index, edge in enumerate(definition.edges):
        if edge.if_ is not None:
            _check_expression(edge.if_, f"edges[{index}].if", edge.target, set(ids), problems)
    return edges, entry


def _check_expression(source: str, loc: str, node: str | None, ids: set[str], problems: Problems) -> None:
    try:
        expressions.check(source)
    except expressions.ExpressionError as exc:
        problems.add(loc, node, f"bad expression: {exc}")
        return
    for ref in sorted(expressions.step_references(source) - ids):
        problems.add(loc, node, f"refers to unknown step {ref!r}")


def _check_expressions_outside_steps(definition: Definition, ids: set[str], problems: Problems) -> None:
    if definition.trigger.if_ is not None:
        _check_expression(definition.trigger.if_, "trigger.if", None, set(), problems)
    for index, cancel in enumerate(definition.cancel_on):
        if cancel.match is not None:
            _check_expression(cancel.match, f"cancel_on[{index}].match", None, ids, problems)
