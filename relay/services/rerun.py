"""Rerunning a run from a step: the database side of ``RunService.rerun``.

A rerun is a new run (``rerun_of`` = the original) of the same event and input, on the
original's version or another one. Top-level steps that completed in the original and are
neither the restart point (``from_step``, default: the steps that failed) nor reachable from
it in the rerun's graph (edges and ``on_error`` jumps) are not executed again: the run takes
their recorded outputs (``RunInput.reuse``). Steps nested in a branch, parallel or foreach run
again with their top-level parent; a nested ``from_step`` restarts its top-level parent.

The rerun's row cannot carry the event's id (intake's idempotency rests on one run per event
and workflow): ``run_start`` finds the event through ``rerun_of``. Until the rerun ends, its
``steps`` column holds the steps it reuses, so whoever starts the recorded row (the API now,
recovery after a crash) starts it with the same outputs. Temporal workflow id:
``relay-{account}-{workflow}-rerun-{run_id}``.
"""

import uuid
from collections import defaultdict
from dataclasses import replace
from typing import Any

from sqlmodel import Session, select

from interpreter.definition import CompiledDefinition
from interpreter.steps.tree import walk
from relay.core.errors import Conflict, Invalid, NotFound
from relay.services.run_start import TERMINAL, RunStart, run_start, temporal_workflow_id
from relay.storage.tables import Run, Workflow, WorkflowVersion


def record_rerun(
    session: Session, *, account_id: str, run_id: str, from_step: str | None, version: int | None
) -> RunStart:
    """Record a rerun of ``run_id`` (status ``pending``) and return how to start it."""
    original = session.get(Run, run_id)
    if original is None or original.account_id != account_id:
        raise NotFound(f"run {run_id!r} does not exist")
    if original.status not in TERMINAL:
        raise Conflict(f"run {run_id!r} has not ended ({original.status}): only an ended run can be rerun")
    workflow = session.get(Workflow, original.workflow_id)
    if workflow is None or workflow.archived:
        raise Conflict(f"workflow {original.workflow_id!r} is archived")
    pinned = version if version is not None else original.version
    stored = session.exec(
        select(WorkflowVersion).where(
            WorkflowVersion.workflow_id == original.workflow_id, WorkflowVersion.version == pinned
        )
    ).first()
    if stored is None:
        raise Invalid(f"workflow {original.workflow_id!r} has no version {pinned}", field="version")
    definition = CompiledDefinition.model_validate(stored.compiled)
    recorded = original.steps or []
    restart = _restart_points(definition, recorded, original=original, from_step=from_step, version=pinned)
    new_id = str(uuid.uuid4())
    run = Run(
        id=new_id,
        account_id=account_id,
        workflow_id=original.workflow_id,
        version=pinned,
        temporal_workflow_id=temporal_workflow_id(
            account_id=account_id, workflow_id=original.workflow_id, trigger=f"rerun-{new_id}"
        ),
        input=original.input,
        rerun_of=original.id,
        steps=reused_steps(definition, recorded, restart=restart),
    )
    session.add(run)
    session.flush()
    start = run_start(session, run)
    session.commit()
    return replace(start, summary=f"{start.summary} · rerun of {original.id}")


def reused_steps(
    definition: CompiledDefinition, recorded: list[dict[str, Any]], *, restart: set[str]
) -> list[dict[str, Any]]:
    """The original's completed top-level steps the rerun takes as they are, as step views."""
    top = {node.id for node in definition.nodes}
    again = downstream(definition, restart)
    return [
        {
            "id": s["id"],
            "type": s.get("type", ""),
            "status": "completed",
            "output": s.get("output"),
            "reused": True,
        }
        for s in recorded
        if s.get("status") == "completed" and s.get("id") in top and s["id"] not in again
    ]


def downstream(definition: CompiledDefinition, start: set[str]) -> set[str]:
    """``start`` and every top-level step reachable from it by edges or ``on_error`` jumps."""
    after: dict[str, set[str]] = defaultdict(set)
    for edge in definition.edges:
        after[edge.source].add(edge.target)
    for node in definition.nodes:
        if node.on_error not in ("fail", "continue"):
            after[node.id or ""].add(node.on_error)
    seen, todo = set(start), list(start)
    while todo:
        for target in after[todo.pop()] - seen:
            seen.add(target)
            todo.append(target)
    return seen


def _restart_points(
    definition: CompiledDefinition,
    recorded: list[dict[str, Any]],
    *,
    original: Run,
    from_step: str | None,
    version: int,
) -> set[str]:
    if from_step is not None:
        owner = _top_level_of(definition, from_step)
        if owner is None:
            raise Invalid(
                f"from_step {from_step!r} is not a step of workflow {original.workflow_id!r} "
                f"version {version}",
                field="from_step",
            )
        return {owner}
    # A cancelled run restarts from the steps its cancellation stopped.
    failed = [s["id"] for s in recorded if s.get("status") in ("failed", "cancelled")]
    top = {node.id for node in definition.nodes}
    restart = {step_id for step_id in failed if step_id in top}
    if restart:
        return restart
    if failed:
        raise Conflict(
            f"step {failed[0]!r} failed in run {original.id!r}, but version {version} has no such "
            "top-level step: pass `from_step`",
            field="from_step",
        )
    raise Conflict(
        f"run {original.id!r} has no failed step ({original.status}): pass `from_step`", field="from_step"
    )


def _top_level_of(definition: CompiledDefinition, step_id: str) -> str | None:
    for node in definition.nodes:
        if any(ref.id == step_id for ref in walk([node], "nodes")):
            return node.id
    return None
