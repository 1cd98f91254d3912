"""Save-time validation and normalisation: a definition document becomes a CompiledDefinition.

Everything that can be known before a run is checked here, so a bad definition never
reaches Temporal: shape, unknown action types, action data against the action's input
model, graph structure, expressions, durations and step references. Every error names
the node and the field at fault.
"""

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from pydantic import BaseModel, ValidationError

from interpreter import expressions
from interpreter.definition import (
    TRIGGER,
    ActionStep,
    Branch,
    CompiledDefinition,
    Definition,
    Edge,
    Foreach,
    Parallel,
    Retry,
    Step,
)
from interpreter.durations import DurationError, parse_duration
from interpreter.errors import Problems
from interpreter.graph import check_graph
from interpreter.steps import StepRef, assign_ids, walk


class ActionInfo(Protocol):
    """What the compiler needs to know of a registered action (``ActionSpec`` fits)."""

    @property
    def input_model(self) -> type[BaseModel]: ...

    @property
    def event_fields(self) -> tuple[str, ...]: ...

    @property
    def defaults(self) -> dict[str, Any]: ...

    @property
    def timeout(self) -> Any: ...

    @property
    def retry(self) -> Any: ...


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
        _check_step(ref, ids, actions, problems)
    nodes = [ref.step for ref in refs if ref.depth == 0]
    edges, entry = _top_edges(definition, nodes, problems)
    _check_expressions_outside_steps(definition, ids, problems)
    problems.raise_if_any(DefinitionError)

    compiled = CompiledDefinition(
        name=definition.name,
        trigger=definition.trigger,
        nodes=[_finalise(step, actions) for step in nodes],
        edges=edges,
        entry=entry,
        cancel_on=definition.cancel_on,
    )
    return Compiled(
        definition=compiled.model_dump(mode="json", by_alias=True, exclude_none=True),
        trigger_event=definition.trigger.event,
    )


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


def _check_step(ref: StepRef, ids: set[str], actions: Mapping[str, ActionInfo], problems: Problems) -> None:
    step, loc, node = ref.step, ref.loc, ref.id
    if step.if_ is not None:
        _check_expression(step.if_, f"{loc}.if", node, ids, problems)
    for field, value in _durations(step):
        try:
            parse_duration(value)
        except DurationError as exc:
            problems.add(f"{loc}.{field}", node, str(exc))
    if step.on_error not in ("fail", "continue"):
        if ref.depth != 0:
            problems.add(f"{loc}.on_error", node, "inside a sub-list, on_error is fail or continue")
        elif step.on_error not in ids:
            problems.add(f"{loc}.on_error", node, f"no step with id {step.on_error!r} to go to")
    for field, source in _bare_expressions(step):
        _check_expression(source, f"{loc}.data.{field}", node, ids, problems)
    if isinstance(step, ActionStep):
        _check_action(step, loc, node, ids, actions, problems)
        return
    for field, source in _templates(
        step.data.model_dump(by_alias=True) if isinstance(step.data, BaseModel) else step.data
    ):
        if expressions.mentions_secrets(source):
            problems.add(f"{loc}.data.{field}", node, "secrets.* may appear only in action data")
        else:
            _check_expression(source, f"{loc}.data.{field}", node, ids, problems)


def _check_action(
    step: ActionStep,
    loc: str,
    node: str,
    ids: set[str],
    actions: Mapping[str, ActionInfo],
    problems: Problems,
) -> None:
    spec = actions.get(step.type)
    if spec is None:
        known = ", ".join(sorted(actions)) or "none registered"
        problems.add(f"{loc}.type", node, f"unknown action type {step.type!r} (known: {known})")
        return
    data = _with_defaults(step.data, spec)
    for field, source in _templates(data):
        if expressions.mentions_secrets(source):
            if not expressions.is_secret_reference(source):
                problems.add(f"{loc}.data.{field}", node, "write a secret as {{ secrets.NAME }}")
        else:
            _check_expression(source, f"{loc}.data.{field}", node, ids, problems)
    for field, message in _model_problems(data, spec.input_model):
        problems.add(f"{loc}.data.{field}" if field else f"{loc}.data", node, message)


def _model_problems(data: dict[str, Any], model: type[BaseModel]) -> Iterator[tuple[str, str]]:
    """Check action data against its input model; values with templates are known at run time
    only, so they are checked for presence, not type."""
    templated = {k for k, v in data.items() if expressions.templates_in(v)}
    if model.model_config.get("extra") != "allow":
        accepted = [info.alias or name for name, info in model.model_fields.items()]
        for key in data:
            if key not in accepted and key not in model.model_fields:
                yield key, f"unknown field (expected one of: {', '.join(accepted)})"
    try:
        model.model_validate({k: v for k, v in data.items() if k not in templated})
    except ValidationError as exc:
        for err in exc.errors():
            field = ".".join(str(p) for p in err["loc"])
            if err["type"] == "extra_forbidden":
                continue  # reported above, with the expected fields
            if not field and templated:
                continue  # a whole-model rule may hinge on a value known only at run time
            if field.split(".")[0] in templated:
                continue
            yield field, err["msg"]


def _with_defaults(data: dict[str, Any], spec: ActionInfo) -> dict[str, Any]:
    """The step's data with the action's defaults and the seed field semantics applied."""
    merged = {**spec.defaults, **data}
    for field in spec.event_fields:
        if field in merged:
            merged[field] = _event_field(merged[field])
    return merged


def _event_field(value: Any) -> Any:
    """A bare name (no "@", no "{{") reads that field of the triggering event's data."""
    if isinstance(value, list):
        return [_event_field(v) for v in value]
    if isinstance(value, str) and value and "@" not in value and "{{" not in value:
        name = value if value.isidentifier() else "`" + value.replace("`", "") + "`"
        return "{{ event.data." + name + " }}"
    return value


def _finalise(step: Step, actions: Mapping[str, ActionInfo]) -> Step:
    """Fill in action defaults (data, timeout, retry) so the run needs no registry."""
    if isinstance(step, ActionStep):
        spec = actions[step.type]
        retry = step.retry.model_dump(exclude_none=True) if step.retry else {}
        defaults = spec.retry
        retry = {
            "max_attempts": defaults.max_attempts,
            "initial_interval": f"{defaults.initial_interval.total_seconds()}s",
            "backoff": defaults.backoff,
            "max_interval": f"{defaults.max_interval.total_seconds()}s",
            **retry,
        }
        heartbeat = getattr(spec, "heartbeat", None)
        return step.model_copy(
            update={
                "data": _with_defaults(step.data, spec),
                "timeout": step.timeout or f"{spec.timeout.total_seconds()}s",
                "retry": Retry(**retry),
                "heartbeat": step.heartbeat or (f"{heartbeat.total_seconds()}s" if heartbeat else None),
            }
        )
    if isinstance(step, Branch):
        data = step.data.model_copy(
            update={
                "then": [_finalise(s, actions) for s in step.data.then],
                "else_": [_finalise(s, actions) for s in step.data.else_],
            }
        )
        return step.model_copy(update={"data": data})
    if isinstance(step, Parallel):
        branches = [[_finalise(s, actions) for s in b] for b in step.data.branches]
        return step.model_copy(update={"data": step.data.model_copy(update={"branches": branches})})
    if isinstance(step, Foreach):
        body = [_finalise(s, actions) for s in step.data.do]
        return step.model_copy(update={"data": step.data.model_copy(update={"do": body})})
    return step


def _durations(step: Step) -> Iterator[tuple[str, str]]:
    if step.timeout:
        yield "timeout", step.timeout
    if step.heartbeat:
        yield "heartbeat", step.heartbeat
    if step.retry:
        for name in ("initial_interval", "max_interval"):
            value = getattr(step.retry, name)
            if value:
                yield f"retry.{name}", value
    data = getattr(step, "data", None)
    if step.type == "sleep" and data.duration:
        yield "data.duration", data.duration
    if step.type == "wait_for_event" and data.timeout:
        yield "data.timeout", data.timeout


def _bare_expressions(step: Step) -> Iterator[tuple[str, str]]:
    """Fields that hold an expression without ``{{ }}``."""
    data = getattr(step, "data", None)
    if step.type == "filter" and data.if_ is not None:
        yield "if", data.if_
    elif step.type == "branch":
        yield "if", data.if_
    elif step.type == "foreach":
        yield "items", data.items
    elif step.type == "wait_for_event":
        if data.if_ is not None:
            yield "if", data.if_
        if data.match is not None:
            yield "match", data.match


def _templates(value: Any, path: str = "") -> Iterator[tuple[str, str]]:
    """(field path, expression) for every ``{{ }}`` in nested data; sub-lists of steps excluded."""
    if isinstance(value, str):
        for source in expressions.templates_in(value):
            yield path or "value", source
    elif isinstance(value, dict):
        for key, item in value.items():
            if key in ("then", "else", "branches", "do"):
                continue
            yield from _templates(item, f"{path}.{key}" if path else str(key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _templates(item, f"{path}[{index}]")


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
