"""What changed between two versions of a workflow, step by step.

Both versions are compared in their compiled form (every step has an id, action defaults
filled in), steps matched by id. A step is ``added``, ``removed`` or ``changed``; a change is
``{path, before, after}`` for every leaf that differs in its settings or data, plus ``in``
(the sub-list it sits in) and ``next`` (where it leads: its outgoing edges, or the step after
it in a sub-list). Layout (``position``) is not a change. Settings of the workflow itself
(name, trigger, entry points, cancel_on, flow control) are listed under ``workflow``.

Steps without an explicit id get one from their position (``email_2``), so inserting a step
in a list renames the ones after it: give steps ids for a precise diff.
"""

from dataclasses import dataclass
from typing import Any

from interpreter.definition import CompiledDefinition, Step

MISSING: Any = None  # a leaf one side does not have reads as null


@dataclass(frozen=True)
class _Flat:
    type: str
    fields: dict[str, Any]


def diff_versions(before: dict[str, Any], after: dict[str, Any]) -> dict[str, Any]:
    """``{changed, steps: [{id, type, change, changes}], workflow: [{path, before, after}]}``."""
    old, new = _flatten(before), _flatten(after)
    steps: list[dict[str, Any]] = []
    for step_id, step in new.items():
        if step_id not in old:
            steps.append({"id": step_id, "type": step.type, "change": "added", "changes": []})
            continue
        changes = _leaves(old[step_id].fields, step.fields)
        if old[step_id].type != step.type:
            changes.insert(0, {"path": "type", "before": old[step_id].type, "after": step.type})
        if changes:
            steps.append({"id": step_id, "type": step.type, "change": "changed", "changes": changes})
    for step_id, step in old.items():
        if step_id not in new:
            steps.append({"id": step_id, "type": step.type, "change": "removed", "changes": []})
    workflow = _leaves(_settings(before), _settings(after))
    return {"changed": bool(steps or workflow), "steps": steps, "workflow": workflow}


def _settings(compiled: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in compiled.items() if k not in ("nodes", "edges")}


def _flatten(compiled: dict[str, Any]) -> dict[str, _Flat]:
    """Every step by id, in document order, with what it does, where it sits and leads."""
    definition = CompiledDefinition.model_validate(compiled)
    out: dict[str, _Flat] = {}
    for node in definition.nodes:
        leads = [
            {"target": e.target, **({"if": e.if_} if e.if_ is not None else {})}
            for e in definition.edges
            if e.source == node.id
        ]
        _add(out, node, where="top", leads=sorted(leads, key=lambda e: (e["target"], e.get("if") or "")))
    return out


def _add(out: dict[str, _Flat], step: Step, *, where: str, leads: list[dict[str, Any]]) -> None:
    fields = step.model_dump(mode="json", by_alias=True, exclude_none=True, exclude={"id", "position"})
    data = fields.get("data")
    for sub in step.sublists:
        if isinstance(data, dict):
            data.pop(sub.key, None)
    out[step.id or ""] = _Flat(type=step.type, fields={**fields, "in": where, "next": leads})
    for child in step.children():
        siblings = child.steps
        for index, sub_step in enumerate(siblings):
            following = [{"target": siblings[index + 1].id}] if index + 1 < len(siblings) else []
            _add(out, sub_step, where=f"{step.id}.{child.part}", leads=following)


def _leaves(before: Any, after: Any, path: str = "") -> list[dict[str, Any]]:
    """``{path, before, after}`` for each differing leaf; lists compare whole."""
    if isinstance(before, dict) and isinstance(after, dict):
        changes: list[dict[str, Any]] = []
        for key in [*before, *(k for k in after if k not in before)]:
            sub = f"{path}.{key}" if path else str(key)
            changes.extend(_leaves(before.get(key, MISSING), after.get(key, MISSING), sub))
        return changes
    if before == after:
        return []
    return [{"path": path, "before": before, "after": after}]
