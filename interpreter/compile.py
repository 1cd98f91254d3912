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

from interpreter import expressions, flow_control
from interpreter.definition import TRIGGER, CompiledDefinition, Definition, Edge, Step
from interpreter.durations import DurationError, check_duration
from interpreter.errors import Problems
from interpreter.graph import check_graph
from interpreter.steps import KINDS
from interpreter.steps.checks import ActionInfo
from interpreter.steps.tree import StepRef, assign_ids, walk

__all__ = [
    "MAX_EDGES",
    "MAX_EXPRESSIONS",
    "MAX_STEPS",
    "ActionInfo",
    "Compiled",
    "DefinitionError",
    "compile_definition",
]

# Definition limits (docs/limits.md). Validation is linear, but a step costs ~0.1 ms to check
# and an expression ~0.2 ms to parse: these keep the largest definition's validation near a
# second, and are far above what a workflow someone maintains needs.
MAX_STEPS = 5_000  # nodes or actions, nested steps included
MAX_EDGES = 20_000
MAX_EXPRESSIONS = 10_000  # if/items/match and every {{ }}, all steps together


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
    _refuse_oversized(document)
    try:
        definition = Definition.model_validate(document)
    except ValidationError as exc:
        raise DefinitionError(Problems.from_validation(exc, document)) from None

    problems = Problems()
    top = definition.actions if definition.actions is not None else definition.nodes or []
    shape = "actions" if definition.actions is not None else "nodes"
    top = assign_ids(top, list_shape=definition.actions is not None, problems=problems, loc=shape)
    refs = list(walk(top, shape))
    if len(refs) > MAX_STEPS:
        _too_many(shape, f"{len(refs):,} steps (nested ones included)", MAX_STEPS)
    ids = _unique_ids(refs, problems)
    counter = _ExpressionCount()
    for ref in refs:
        _check_step(ref, _Check(ref, ids, actions, problems, counter))
    nodes = [ref.step for ref in refs if ref.depth == 0]
    edges, entry = _top_edges(definition, nodes, problems, counter)
    _check_expressions_outside_steps(definition, ids, problems)
    problems.raise_if_any(DefinitionError)

    compiled = CompiledDefinition(
        name=definition.name,
        trigger=definition.trigger,
        nodes=[step.finalise(actions) for step in nodes],
        edges=edges,
        entry=entry,
        cancel_on=definition.cancel_on,
        concurrency=definition.concurrency,
        throttle=definition.throttle,
        debounce=definition.debounce,
        priority=definition.priority,
    )
    return Compiled(definition=compiled.as_json(), trigger_event=definition.trigger.event)


def _too_many(loc: str, what: str, limit: int) -> None:
    raise DefinitionError([{"loc": loc, "node": None, "message": f"{what}: at most {limit:,} allowed"}])


def _refuse_oversized(document: dict[str, Any]) -> None:
    """Refuse a definition over the limits before validating (and copying) any of it."""
    for key in ("nodes", "actions"):
        count = _raw_step_count(document.get(key))
        if count > MAX_STEPS:
            _too_many(key, "too many steps (nested ones included)", MAX_STEPS)
    edges = document.get("edges")
    if isinstance(edges, list) and len(edges) > MAX_EDGES:
        _too_many("edges", f"{len(edges):,} edges", MAX_EDGES)


def _raw_step_count(steps: Any) -> int:
    """The steps of a document's list, nested ones included (read through each kind's
    sub-lists), counted up to one past ``MAX_STEPS``."""
    count, stack = 0, [steps]
    while stack and count <= MAX_STEPS:
        items = stack.pop()
        if not isinstance(items, list):
            continue
        for step in items:
            count += 1
            if not isinstance(step, dict) or not isinstance(step.get("data"), dict):
                continue
            kind = KINDS.get(str(step.get("type")))
            if kind is None:
                continue
            data = step["data"]
            for sub in kind.sublists:
                value = data.get(sub.key)
                stack.extend(value if sub.nested and isinstance(value, list) else [value])
    return count


class _ExpressionCount:
    """The expressions of a definition, counted so parsing stops at ``MAX_EXPRESSIONS``."""

    def __init__(self) -> None:
        self.seen = 0

    def take(self, loc: str, node: str | None, problems: Problems) -> bool:
        self.seen += 1
        if self.seen == MAX_EXPRESSIONS + 1:
            problems.add(loc, node, f"more than {MAX_EXPRESSIONS:,} expressions in one definition")
        return self.seen <= MAX_EXPRESSIONS


@dataclass(frozen=True)
class _Check:
    """The checks of one step, reported against its location and node (a ``StepCheck``)."""

    ref: StepRef
    ids: set[str]
    actions: Mapping[str, ActionInfo]
    problems: Problems
    count: _ExpressionCount

    def problem(self, field: str, message: str) -> None:
        self.problems.add(f"{self.ref.loc}.{field}", self.ref.id, message)

    def expression(self, field: str, source: str) -> None:
        loc = f"{self.ref.loc}.{field}"
        if self.count.take(loc, self.ref.id, self.problems):
            _check_expression(source, loc, self.ref.id, self.ids, self.problems)


def _check_step(ref: StepRef, check: _Check) -> None:
    """What every step shares: ``if``, durations, ``on_error``, bare expressions; then its own."""
    step = ref.step
    if step.if_ is not None:
        check.expression("if", step.if_)
    for field, value in step.durations():
        try:
            check_duration(value)
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


def _top_edges(
    definition: Definition, nodes: list[Step], problems: Problems, counter: _ExpressionCount
) -> tuple[list[Edge], list[str]]:
    ids = [node.id or "" for node in nodes]
    if definition.actions is not None:
        chain = [Edge(source=a, target=b) for a, b in zip(ids, ids[1:], strict=False)]
        return chain, ids[:1]
    edges = [e for e in definition.edges if e.source != TRIGGER]
    entry = [e.target for e in definition.edges if e.source == TRIGGER] or ids[:1]
    # An on_error target is reached from its node, though by no edge.
    jumps = [
        Edge(source=n.id or "", target=n.on_error) for n in nodes if n.on_error not in ("fail", "continue")
    ]
    check_graph(ids, definition.edges, entry, problems, jumps=jumps)
    known = set(ids)  # once: built per edge, it made validation quadratic
    for index, edge in enumerate(definition.edges):
        loc = f"edges[{index}].if"
        if edge.if_ is not None and counter.take(loc, edge.target, problems):
            _check_expression(edge.if_, loc, edge.target, known, problems)
    return edges, entry


def _check_expression(
    source: str,
    loc: str,
    node: str | None,
    ids: set[str],
    problems: Problems,
    budget: expressions.Budget = expressions.WORKFLOW,
) -> None:
    try:
        expressions.check(source, budget=budget)
    except expressions.ExpressionError as exc:
        problems.add(loc, node, f"bad expression: {exc}")
        return
    for ref in sorted(expressions.step_references(source) - ids):
        problems.add(loc, node, f"refers to unknown step {ref!r}")


def _check_expressions_outside_steps(definition: Definition, ids: set[str], problems: Problems) -> None:
    if definition.trigger.if_ is not None:
        # Evaluated at intake, within the API's smaller budget.
        _check_expression(definition.trigger.if_, "trigger.if", None, set(), problems, expressions.API)
    flow = flow_control.FlowControl(
        concurrency=definition.concurrency,
        throttle=definition.throttle,
        debounce=definition.debounce,
        priority=definition.priority,
    )
    flow_control.check(flow, lambda loc, message: problems.add(loc, None, message))
    for index, cancel in enumerate(definition.cancel_on):
        if cancel.match is not None:
            _check_expression(cancel.match, f"cancel_on[{index}].match", None, ids, problems)
