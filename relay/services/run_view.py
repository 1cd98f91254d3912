"""A run seen whole: every step of its definition, in definition order, with what became of it.

The workflow tracks only the steps it reached (its ``progress`` query while it runs, the steps
it recorded when it ended). This fills in the rest from the pinned definition, and overlays
the live attempts of the actions Temporal is still retrying:

- a step not reached yet is ``pending``; one never reached because the run ended is ``not_run``;
- the arm of a ``branch`` its condition did not take is ``skipped``, like a graph node whose
  incoming edges did not hold;
- a ``foreach`` is followed by one row per item, ``<id>[<index>]`` (its ``do`` steps are not
  listed one by one: each item's row carries their status, attempts and error);
- a step still retrying shows its current ``attempts`` and ``last_error``.

It only reads: a GET never writes.
"""

import re
from collections.abc import Iterable
from typing import Any

from pydantic import ValidationError
from sqlmodel import Session, select

from interpreter.definition import CompiledDefinition, Step
from relay.services.run_start import TERMINAL
from relay.services.run_status import LiveAttempt
from relay.storage.tables import WorkflowVersion

ITEM_ROW = re.compile(r"^(?P<step>[A-Za-z_][A-Za-z0-9_]*)\[(?P<index>\d+)\]$")


def pinned_definition(session: Session, *, workflow_id: str, version: int) -> CompiledDefinition | None:
    """The definition a run is pinned to, as stored with its version; None if it cannot be
    read (then the view shows the steps the run reported, as before)."""
    stored = session.exec(
        select(WorkflowVersion.compiled).where(
            WorkflowVersion.workflow_id == workflow_id, WorkflowVersion.version == version
        )
    ).first()
    if stored is None:
        return None
    try:
        return CompiledDefinition.model_validate(stored)
    except ValidationError:
        return None


def whole_steps(
    definition: CompiledDefinition | None,
    reported: list[dict[str, Any]],
    *,
    run_status: str,
    live: dict[str, LiveAttempt] | None = None,
) -> list[dict[str, Any]]:
    """Every step of ``definition``, merged with the steps the run ``reported``."""
    views = {view["id"]: dict(view) for view in reported if isinstance(view, dict) and "id" in view}
    ended = run_status in TERMINAL
    rows: list[dict[str, Any]] = []
    if definition is not None:
        _visit(definition.nodes, views, rows, ended=ended, inherited=None)
    rows.extend(_finished(view, ended) for view in views.values())  # reported, not in the definition
    for row in rows:
        row.setdefault("last_error", None)
        attempt = (live or {}).get(row["id"]) if not ended else None
        if attempt is not None:
            row["attempts"] = max(int(row.get("attempts") or 0), attempt.attempts)
            row["last_error"] = attempt.last_error
    return rows


def _visit(
    steps: Iterable[Step],
    views: dict[str, dict[str, Any]],
    rows: list[dict[str, Any]],
    *,
    ended: bool,
    inherited: str | None,
) -> None:
    """Rows for ``steps`` and their sub-lists; ``inherited`` is the status a step without a view
    takes from where it sits (``skipped`` under a skipped step or an arm not taken)."""
    for step in steps:
        step_id = step.id or ""
        view = views.pop(step_id, None)
        if view is not None:
            row = _finished(view, ended)
        else:
            row = {"id": step_id, "type": step.type, "status": inherited or _unreached(ended)}
        rows.append(row)
        if step.type == "foreach":
            rows.extend(_items(step_id, views, ended))
            continue
        children = list(step.children())
        taken = [_has_views(child.steps, views) for child in children]
        for child, was_taken in zip(children, taken, strict=True):
            below = inherited
            if row["status"] == "skipped":
                below = "skipped"
            elif step.type == "branch" and not was_taken and _branch_decided(row["status"], any(taken)):
                below = "skipped"
            _visit(child.steps, views, rows, ended=ended, inherited=below)


def _branch_decided(status: str, some_arm_ran: bool) -> bool:
    """Whether a branch has chosen its arm: one arm ran, or it completed (an empty arm)."""
    return some_arm_ran or status == "completed"


def _has_views(steps: Iterable[Step], views: dict[str, dict[str, Any]]) -> bool:
    for step in steps:
        if (step.id or "") in views:
            return True
        if step.type == "foreach" and any(_item_of(key) == step.id for key in views):
            return True
        if any(_has_views(child.steps, views) for child in step.children()):
            return True
    return False


def _items(step_id: str, views: dict[str, dict[str, Any]], ended: bool) -> list[dict[str, Any]]:
    """The rows ``<id>[<index>]`` of a foreach's items, by index."""
    keys = sorted((key for key in views if _item_of(key) == step_id), key=_index_of)
    return [_finished(views.pop(key), ended) for key in keys]


def _item_of(key: str) -> str | None:
    match = ITEM_ROW.match(key)
    return match["step"] if match else None


def _index_of(key: str) -> int:
    match = ITEM_ROW.match(key)
    return int(match["index"]) if match else -1


def _unreached(ended: bool) -> str:
    return "not_run" if ended else "pending"


def _finished(view: dict[str, Any], ended: bool) -> dict[str, Any]:
    """A reported view; one still ``pending`` when the run ended was never reached."""
    if ended and view.get("status") == "pending":
        return {**view, "status": "not_run"}
    return view
