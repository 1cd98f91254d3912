"""Starting runs in Temporal: how a recorded Run becomes a workflow execution, idempotently.

Used by manual runs, event intake and recovery alike. A run is first recorded in the
database (status ``pending``), then started; starting the same run again is harmless,
because its workflow id is fixed and Temporal rejects a duplicate.
"""

import asyncio
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine, update
from sqlmodel import Session, col, select
from temporalio.client import Client
from temporalio.common import WorkflowIDReusePolicy
from temporalio.exceptions import WorkflowAlreadyStartedError

from interpreter.contract import (
    WORKFLOW_NAME,
    EventPayload,
    RunInput,
    RunResult,
    search_attributes,
)
from interpreter.gates.contract import GateRequest
from relay.core.errors import Conflict, Invalid, NotFound
from relay.services import flow_control
from relay.services.subscribe import subscribe
from relay.storage.tables import Event, Run, Workflow, WorkflowVersion

TERMINAL = frozenset({"completed", "filtered", "failed", "cancelled", "timed_out"})


def temporal_workflow_id(*, account_id: str, workflow_id: str, trigger: str) -> str:
    """``relay-{account}-{workflow}-{trigger}``, trigger ``evt-{event_id}`` or ``manual-{run_id}``."""
    return f"relay-{account_id}-{workflow_id}-{trigger}"


def event_run_id(*, event_id: str, workflow_id: str) -> str:
    """The same event and workflow always give the same run id, so intake can be repeated."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"relay:run:{event_id}:{workflow_id}"))


@dataclass(frozen=True)
class RunStart:
    """What starting one recorded run needs, read from the database beforehand."""

    temporal_workflow_id: str
    input: RunInput
    summary: str
    # Flow control (``relay.services.flow_control``): the definition's task priority, and for
    # a ``queued`` run the gate to hand it to instead of starting it.
    priority_key: int | None = None
    gate: GateRequest | None = None


def run_start(session: Session, run: Run) -> RunStart:
    """Build the start of ``run`` from its pinned version (and its event, if any), and make
    sure its event subscriptions are recorded with it, before it can start."""
    version = session.exec(
        select(WorkflowVersion).where(
            WorkflowVersion.workflow_id == run.workflow_id, WorkflowVersion.version == run.version
        )
    ).one()
    workflow = session.get(Workflow, run.workflow_id)
    event_id = run.event_id or _rerun_event_id(session, run)
    event = session.get(Event, event_id) if event_id else None
    payload = (
        EventPayload(
            id=event.id,
            name=event.name,
            data=event.data,
            received_at=as_utc(event.received_at),
            depth=event.depth,
        )
        if event
        else None
    )
    subscribe(session, run=run, compiled=version.compiled, trigger=payload)
    plan = flow_control.plan(run, version.compiled, payload.model_dump(mode="json") if payload else None)
    gate = None
    if plan.stages and run.status == "pending" and run.gates is None:
        gate = flow_control.hold(run, plan.stages)  # recorded queued, in the caller's transaction
        session.add(run)
    elif run.status == "queued":
        gate = flow_control.request(run, plan.stages) if plan.stages else None
    trigger = f"event {event.name}" if event else "manual run"
    name = workflow.name if workflow else run.workflow_id
    return RunStart(
        temporal_workflow_id=run.temporal_workflow_id,
        input=RunInput(
            run_id=run.id,
            account_id=run.account_id,
            workflow_id=run.workflow_id,
            version=run.version,
            definition=version.compiled,
            event=payload,
            input=run.input,
            reuse=_reused_outputs(run),
        ),
        summary=f"{name} v{run.version} · {trigger}",
        priority_key=plan.priority_key,
        gate=gate,
    )


def _rerun_event_id(session: Session, run: Run) -> str | None:
    """A rerun's row cannot carry its event (intake's one run per event and workflow): it is
    the event of the run it reruns, however many reruns back."""
    seen: set[str] = set()
    origin: Run | None = run
    while origin is not None and origin.event_id is None and origin.rerun_of and origin.rerun_of not in seen:
        seen.add(origin.rerun_of)
        origin = session.get(Run, origin.rerun_of)
    return origin.event_id if origin is not None else None


def _reused_outputs(run: Run) -> dict[str, Any]:
    """Until a rerun ends, its ``steps`` hold the steps it reuses (``relay.services.rerun``)."""
    if run.rerun_of is None or run.status in TERMINAL:
        return {}
    return {step["id"]: step.get("output") for step in run.steps or [] if step.get("reused")}


async def start_run(
    client: Client, start: RunStart, *, task_queue: str, signal: tuple[str, Any] | None = None
) -> None:
    """Start the run's workflow; one that was started before counts as started.

    With ``signal``, it is signal-with-start: a running workflow gets the signal, a
    missing one starts with it."""
    run = start.input
    if start.gate is not None:
        # Queued behind a flow-control gate: the gate starts it when its turn comes.
        await flow_control.enqueue(client, start.gate, task_queue=task_queue, workflow_id=run.workflow_id)
        return
    try:
        await client.start_workflow(
            WORKFLOW_NAME,
            run,
            id=start.temporal_workflow_id,
            result_type=RunResult,
            task_queue=task_queue,
            id_reuse_policy=WorkflowIDReusePolicy.REJECT_DUPLICATE,
            search_attributes=search_attributes(run),
            static_summary=start.summary,
            start_signal=signal[0] if signal else None,
            start_signal_args=[signal[1]] if signal else [],
            priority=flow_control.task_priority(run.account_id, start.priority_key),
        )
    except WorkflowAlreadyStartedError:
        pass  # a retry, a concurrent request or recovery started it: the same run


async def start_runs(client: Client, starts: list[RunStart], *, task_queue: str) -> None:
    await asyncio.gather(*(start_run(client, s, task_queue=task_queue) for s in starts))


def mark_started(engine: Engine, *, run_ids: list[str]) -> None:
    """``pending`` → ``running`` for runs now known to Temporal (a later state is kept); a
    ``queued`` run is now known to its first gate."""
    if not run_ids:
        return
    with Session(engine) as session:
        session.exec(
            update(Run).where(col(Run.id).in_(run_ids), col(Run.status) == "pending").values(status="running")
        )
        flow_control.mark_gated(session, run_ids)
        session.commit()


def record_manual_run(
    engine: Engine,
    *,
    account_id: str,
    workflow_id: str,
    version: int | None,
    input: dict[str, Any],  # the API's name for it
) -> RunStart:
    """Record a manual run of ``version`` (default: the live one) and return how to start it."""
    with Session(engine) as session:
        workflow = session.get(Workflow, workflow_id)
        if workflow is None or workflow.account_id != account_id:
            raise NotFound(f"workflow {workflow_id!r} does not exist")
        if workflow.archived:
            raise Conflict(f"workflow {workflow_id!r} is archived")
        pinned = version if version is not None else workflow.live_version
        if pinned is None:
            raise Conflict(
                f"workflow {workflow_id!r} has no live version: publish one, or pass `version`",
                field="version",
            )
        exists = session.exec(
            select(WorkflowVersion.id).where(
                WorkflowVersion.workflow_id == workflow_id, WorkflowVersion.version == pinned
            )
        ).first()
        if exists is None:
            raise Invalid(f"workflow {workflow_id!r} has no version {pinned}", field="version")
        run_id = str(uuid.uuid4())
        run = Run(
            id=run_id,
            account_id=account_id,
            workflow_id=workflow_id,
            version=pinned,
            temporal_workflow_id=temporal_workflow_id(
                account_id=account_id, workflow_id=workflow_id, trigger=f"manual-{run_id}"
            ),
            input=input,
        )
        session.add(run)
        session.flush()
        start = run_start(session, run)
        session.commit()
        return start


def as_utc(moment: datetime) -> datetime:
    """SQLite hands datetimes back naive; they were written in UTC."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def pending_start(engine: Engine, *, run_id: str) -> RunStart | None:
    """How to start a run that is recorded and not started yet; None once it has started."""
    with Session(engine) as session:
        run = session.get(Run, run_id)
        if run is None or run.status != "pending":
            return None
        return run_start(session, run)


def queued_start(engine: Engine, *, run_id: str) -> RunStart | None:
    """How to hand a ``queued`` run to its first gate again; None once it is no longer queued."""
    with Session(engine) as session:
        run = session.get(Run, run_id)
        if run is None or run.status != "queued":
            return None
        start = run_start(session, run)
        session.commit()
        return start
