"""Flow control and fairness on the API side (SPEC §8, ``docs/flow-control.md``).

Decided when a run is recorded (``plan``), from its pinned definition and its event or input:

- its Temporal task priority: the definition's ``priority``, and the account id as fairness
  key unless ``RELAY_FAIRNESS=off`` (``task_priority``); activities and child workflows
  inherit both from the run;
- the gates it must pass, if any: debounce, concurrency, the account cap
  (``RELAY_ACCOUNT_MAX_ACTIVE_RUNS``), throttle, one ``RelayGate`` workflow per
  (account, workflow, limit, key value). Such a run is recorded ``queued`` and handed to its
  first gate (``enqueue``) instead of started; the last gate starts it (``gate_start``). A
  run without any is started at once, as before: no extra hop.

Everything here that writes is idempotent, because gates and the sweeper retry it.
"""

import asyncio
import hashlib
import logging
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, update
from sqlmodel import Session, col, select
from temporalio.client import Client
from temporalio.common import Priority, SearchAttributePair, TypedSearchAttributes
from temporalio.service import RPCError, RPCStatusCode

from interpreter import flow_control as rules
from interpreter.contract import RELAY_ACCOUNT, RELAY_WORKFLOW
from interpreter.durations import parse_duration
from interpreter.gates.contract import (
    GATE_ENQUEUE_SIGNAL,
    GATE_RELEASE_SIGNAL,
    GATE_WORKFLOW,
    GateRequest,
    GateState,
    Stage,
)
from relay.core.settings import Settings
from relay.storage.tables import Run, utcnow

log = logging.getLogger(__name__)

# Runs that cross process boundaries need the process's settings: set once per process by
# ``configure`` (``Services.create``); the defaults are the settings' defaults.
_MODE: dict[str, Any] = {"fairness": "account", "account_max_active_runs": None}


def configure(settings: Settings) -> None:
    """Take this process's ``RELAY_FAIRNESS`` and ``RELAY_ACCOUNT_MAX_ACTIVE_RUNS``."""
    _MODE["fairness"] = settings.fairness
    _MODE["account_max_active_runs"] = settings.account_max_active_runs


def task_priority(account_id: str, priority_key: int | None) -> Priority:
    """The Temporal priority a run starts with (its activities and children inherit it)."""
    fairness = account_id[:64] if _MODE["fairness"] == "account" else None
    return Priority(priority_key=priority_key, fairness_key=fairness)


@dataclass(frozen=True)
class Plan:
    priority_key: int | None
    stages: list[Stage]


def plan(run: Run, compiled: dict[str, Any], event: dict[str, Any] | None) -> Plan:
    """The run's priority and the gates it must pass (none for most runs)."""
    scope = rules.context(event, run.input)
    definition = {k: compiled.get(k) for k in ("concurrency", "throttle", "debounce", "priority")}
    flow = rules.FlowControl.model_validate(definition)
    priority_key: int | None = None
    if flow.priority is not None:
        priority_key, why = rules.priority_value(flow.priority, scope)
        if why:
            log.warning("priority of run %s is the default: %s", run.id, why)
    base = f"relay-gate-{run.account_id}-{run.workflow_id}"
    stages: list[Stage] = []
    if flow.debounce is not None:
        d = flow.debounce
        stages.append(
            Stage(
                gate_id=_gate_id(base, "debounce", _key(run, "debounce", d.key, scope)),
                kind="debounce",
                period=_seconds(d.period),
                max_wait=_seconds(d.max_wait) if d.max_wait else None,
            )
        )
    if flow.concurrency is not None:
        c = flow.concurrency
        stages.append(
            Stage(
                gate_id=_gate_id(base, "concurrency", _key(run, "concurrency", c.key, scope)),
                kind="concurrency",
                limit=c.limit,
            )
        )
    cap = _MODE["account_max_active_runs"]
    if cap:
        stages.append(Stage(gate_id=f"relay-gate-{run.account_id}-account", kind="concurrency", limit=cap))
    if flow.throttle is not None:
        t = flow.throttle
        stages.append(
            Stage(
                gate_id=_gate_id(base, "throttle", _key(run, "throttle", t.key, scope)),
                kind="throttle",
                limit=t.limit,
                period=_seconds(t.period),
            )
        )
    return Plan(priority_key=priority_key, stages=stages)


def _key(run: Run, name: str, source: str | None, scope: dict[str, Any]) -> str:
    value, why = rules.key_value(source, scope)
    if why:
        log.warning("%s.key of run %s (workflow %s) counts as null: %s", name, run.id, run.workflow_id, why)
    return value


def _gate_id(base: str, kind: str, key: str) -> str:
    # Key values are the author's data: hashed, so any value makes a short, safe workflow id.
    digest = hashlib.sha256(key.encode()).hexdigest()[:16] if key else "all"
    return f"{base}-{kind}-{digest}"


def _seconds(duration: str) -> float:
    return parse_duration(duration).total_seconds()


def request(run: Run, stages: list[Stage]) -> GateRequest:
    created = run.created_at.replace(tzinfo=None).isoformat(timespec="microseconds")
    return GateRequest(run_id=run.id, account_id=run.account_id, order=f"{created}|{run.id}", stages=stages)


def hold(run: Run, stages: list[Stage]) -> GateRequest:
    """Record ``run`` as ``queued`` behind ``stages`` (in the caller's transaction)."""
    run.status = "queued"
    run.gates = [stage.gate_id for stage in stages]
    return request(run, stages)


async def enqueue(
    client: Client, gate: GateRequest, *, task_queue: str, workflow_id: str | None = None
) -> None:
    """Hand the run to its gate: signal-with-start, so a gate that is not running starts."""
    stage = gate.stages[0]
    attributes = [SearchAttributePair(RELAY_ACCOUNT, gate.account_id)]
    if workflow_id:
        attributes.append(SearchAttributePair(RELAY_WORKFLOW, workflow_id))
    await client.start_workflow(
        GATE_WORKFLOW,
        GateState(stage=stage),
        id=stage.gate_id,
        task_queue=task_queue,
        start_signal=GATE_ENQUEUE_SIGNAL,
        start_signal_args=[gate],
        search_attributes=TypedSearchAttributes(attributes),
        static_summary=f"{stage.kind} gate (limit {stage.limit})",
        priority=task_priority(gate.account_id, None),
    )


async def release(client: Client, gates: list[str] | None, run_id: str) -> None:
    """Tell every gate the run passed that it no longer holds a slot (ended or cancelled)."""
    for gate_id in gates or []:
        try:
            await client.get_workflow_handle(gate_id).signal(GATE_RELEASE_SIGNAL, run_id)
        except RPCError as exc:
            if exc.status != RPCStatusCode.NOT_FOUND:  # a closed gate holds nothing
                raise


def claim(engine: Engine, *, run_id: str) -> str | None:
    """A gate lets the run go: ``queued`` → ``pending``. Returns the run's status after it
    (``pending`` also when a previous try of this claim got that far), None if it has no row."""
    with Session(engine) as session:
        session.exec(
            update(Run).where(col(Run.id) == run_id, col(Run.status) == "queued").values(status="pending")
        )
        session.commit()
        return session.exec(select(Run.status).where(Run.id == run_id)).first()


def supersede(engine: Engine, *, run_id: str, newer: str) -> None:
    """A debounced run replaced by a newer one of its key: it ends ``cancelled``, saying why."""
    with Session(engine) as session:
        session.exec(
            update(Run)
            .where(col(Run.id) == run_id, col(Run.status) == "queued")
            .values(status="cancelled", error=f"debounced: superseded by run {newer}", ended_at=utcnow())
        )
        session.commit()


def cancel_queued(engine: Engine, *, run_id: str) -> list[str] | None:
    """Cancel a run still ``queued``; its gates (to release), or None if it was not queued."""
    with Session(engine) as session:
        result = session.exec(
            update(Run)
            .where(col(Run.id) == run_id, col(Run.status) == "queued")
            .values(status="cancelled", error="cancelled while queued", ended_at=utcnow())
        )
        session.commit()
        if result.rowcount != 1:
            return None
        return list(session.exec(select(Run.gates).where(Run.id == run_id)).first() or [])


def gates_of(engine: Engine, *, temporal_workflow_id: str) -> tuple[str, list[str]] | None:
    """The run id and gates of the run with this workflow id, if it passed any."""
    with Session(engine) as session:
        row = session.exec(
            select(Run.id, Run.gates).where(Run.temporal_workflow_id == temporal_workflow_id)
        ).first()
        if row is None or not row[1]:
            return None
        return row[0], list(row[1])


def mark_gated(session: Session, run_ids: list[str]) -> None:
    """The first gate has these queued runs: the sweeper need not hand them on again."""
    if run_ids:
        session.exec(
            update(Run)
            .where(col(Run.id).in_(run_ids), col(Run.status) == "queued", col(Run.gated_at).is_(None))
            .values(gated_at=utcnow())
        )


def unhanded(engine: Engine, *, cutoff: Any, limit: int) -> list[str]:
    """Queued runs recorded before ``cutoff`` that no gate acknowledged (a crash in between)."""
    with Session(engine) as session:
        return list(
            session.exec(
                select(Run.id)
                .where(
                    col(Run.status) == "queued", col(Run.gated_at).is_(None), col(Run.created_at) <= cutoff
                )
                .order_by(col(Run.created_at))
                .limit(limit)
            ).all()
        )


async def release_gates(client: Client, engine: Engine, *, temporal_workflow_id: str) -> None:
    """After a run's end is recorded: free its slots in the gates it passed, if any."""
    found = await asyncio.to_thread(gates_of, engine, temporal_workflow_id=temporal_workflow_id)
    if found is not None:
        await release(client, found[1], found[0])


def scheduled_priority(compiled: dict[str, Any], input: dict[str, Any]) -> int | None:
    """A schedule's fires: the definition's priority over the schedule's input (no event).
    Schedules pass no gates: a schedule says itself how often its workflow runs."""
    priority = compiled.get("priority")
    if priority is None:
        return None
    return rules.priority_value(priority, rules.context(None, input))[0]
