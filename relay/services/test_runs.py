"""Test runs (``POST /v1/workflows/{id}/test``): the draft, a version or an inline definition
run through the real interpreter with every action mocked (``interpreter.dry_run``).

The database is read once, before the run: the definition, and the live versions of the
workflows its ``invoke`` steps name (and theirs). The run itself does no I/O, writes no Run
row, starts nothing in Temporal and reaches no SMTP, HTTP or Slack server.
"""

import asyncio
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine
from sqlmodel import Session, select

from interpreter.compile import ActionInfo, compile_definition
from interpreter.contract import EventPayload
from interpreter.definition import CompiledDefinition, Step
from interpreter.dry_run import DryRunRequest, DryRunResult, LiveTarget, Mock, run_dry_sync
from interpreter.steps.action import ActionStep
from interpreter.steps.invoke import Invoke
from relay.core.errors import Invalid
from relay.services.db import in_session
from relay.services.workflows import get_version, get_workflow, invoke_target
from relay.storage.tables import WorkflowVersion

# Workflows a test run may reach through ``invoke`` (directly or not), looked up beforehand.
MAX_TARGETS = 50


@dataclass(frozen=True)
class TestEvent:
    """An event as ``POST /v1/events`` takes it."""

    name: str
    data: dict[str, Any]
    id: str | None = None


class TestRunService:
    """Runs a workflow's draft, one of its versions, or a definition given inline, mocked."""

    __test__ = False  # not a pytest class

    def __init__(self, *, engine: Engine, actions: Mapping[str, ActionInfo]) -> None:
        self.engine = engine
        self.actions = actions

    async def run(
        self,
        *,
        account_id: str,
        workflow_id: str,
        definition: dict[str, Any] | None = None,
        version: int | None = None,
        event: TestEvent | None = None,
        input: dict[str, Any] | None = None,
        mocks: Mapping[str, Mock] | None = None,
        events: list[TestEvent] | None = None,
    ) -> DryRunResult:
        """The run's status, output and every step's trace; 422 for mocks naming no action step."""
        compiled, number, targets = await in_session(
            self.engine,
            _prepare,
            account_id=account_id,
            workflow_id=workflow_id,
            definition=definition,
            version=version,
            actions=self.actions,
        )
        mocks = dict(mocks or {})
        _check_mocks(mocks, compiled)
        request = DryRunRequest(
            account_id=account_id,
            workflow_id=workflow_id,
            version=number,
            definition=compiled,
            event=_payload(event, "test-event") if event else None,
            input=input or {},
            mocks=mocks,
            events=[_payload(e, f"test-event-{i}") for i, e in enumerate(events or [])],
            targets=targets,
        )
        # On a loop of its own in a worker thread: the API's loop keeps serving meanwhile.
        return await asyncio.to_thread(run_dry_sync, request)


def _payload(event: TestEvent, default_id: str) -> EventPayload:
    return EventPayload(
        id=event.id or f"{default_id}-{uuid.uuid4().hex[:8]}", name=event.name, data=event.data
    )


def _prepare(
    session: Session,
    *,
    account_id: str,
    workflow_id: str,
    definition: dict[str, Any] | None,
    version: int | None,
    actions: Mapping[str, ActionInfo],
) -> tuple[CompiledDefinition, int, dict[str, LiveTarget]]:
    """The compiled definition to test, its version number (0: not a version), and the live
    versions its invokes may reach."""
    if definition is not None and version is not None:
        raise Invalid("give either 'definition' or 'version', not both", field="version")
    workflow = get_workflow(session, account_id=account_id, workflow_id=workflow_id)
    if version is not None:
        _, row = get_version(session, account_id=account_id, workflow_id=workflow_id, version=version)
        compiled, number = CompiledDefinition.model_validate(row.compiled), row.version
    else:
        document = definition if definition is not None else workflow.draft
        compiled = CompiledDefinition.model_validate(compile_definition(document, actions).definition)
        number = 0
    return compiled, number, _targets(session, account_id=account_id, start=compiled)


def _targets(session: Session, *, account_id: str, start: CompiledDefinition) -> dict[str, LiveTarget]:
    """What each ``invoke`` reachable from ``start`` names, resolved as the real invoke does."""
    found: dict[str, LiveTarget] = {}
    todo = _invoked(start.nodes)
    while todo and len(found) < MAX_TARGETS:
        ref = todo.pop()
        if ref in found:
            continue
        found[ref] = target = _live(session, account_id=account_id, ref=ref)
        if target.definition is not None:
            todo.extend(_invoked(target.definition.nodes))
    return found


def _live(session: Session, *, account_id: str, ref: str) -> LiveTarget:
    try:
        workflow = invoke_target(session, account_id=account_id, ref=ref)
    except Invalid as problem:
        return LiveTarget(problem=problem.message)
    row = session.exec(
        select(WorkflowVersion).where(
            WorkflowVersion.workflow_id == workflow.id, WorkflowVersion.version == workflow.live_version
        )
    ).one()
    return LiveTarget(
        workflow_id=workflow.id,
        version=row.version,
        definition=CompiledDefinition.model_validate(row.compiled),
    )


def _invoked(steps: list[Step]) -> list[str]:
    refs: list[str] = []
    for step in _all(steps):
        if isinstance(step, Invoke):
            refs.append(step.data.workflow)
    return refs


def _all(steps: list[Step]) -> list[Step]:
    out: list[Step] = []
    for step in steps:
        out.append(step)
        for child in step.children():
            out.extend(_all(child.steps))
    return out


def _check_mocks(mocks: Mapping[str, Mock], definition: CompiledDefinition) -> None:
    """Each mock names an action step (``invoke_id.step_id`` for a step of an invoked run)."""
    steps = {step.id: step for step in _all(definition.nodes)}
    for key in mocks:
        own = key.split(".", 1)[0] if "." in key else key
        step = steps.get(own)
        if step is None:
            raise Invalid(f"mocks.{key}: no step with id {own!r} in the definition", field=f"mocks.{key}")
        if "." in key and not isinstance(step, Invoke):
            raise Invalid(f"mocks.{key}: {own!r} is not an invoke step", field=f"mocks.{key}")
        if "." not in key and not isinstance(step, ActionStep):
            raise Invalid(
                f"mocks.{key}: {own!r} is a {step.type} step; only actions are mocked", field=f"mocks.{key}"
            )
