"""Recording a run's subscriptions: the events its waits and ``cancel_on`` listen for."""

import json
from typing import Any

from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session, select

from interpreter import expressions
from interpreter.contract import EventPayload
from interpreter.definition import CompiledDefinition
from interpreter.steps import walk
from interpreter.steps.wait_for_event import WaitForEvent
from relay.storage.subscriptions import RunSubscription, SubscriptionKey
from relay.storage.tables import Run

# (event name, match expression, kind) per workflow version; versions are immutable.
_INTERESTS: dict[tuple[str, int], list[tuple[str, str | None, str]]] = {}


def interests(
    *, workflow_id: str, version: int, compiled: dict[str, Any]
) -> list[tuple[str, str | None, str]]:
    """Every event a version's runs may wait for or be cancelled by."""
    key = (workflow_id, version)
    if key not in _INTERESTS:
        definition = CompiledDefinition.model_validate(compiled)
        found = [
            (ref.step.data.event, ref.step.data.match, "wait")
            for ref in walk(definition.nodes, "nodes")
            if isinstance(ref.step, WaitForEvent)
        ]
        found += [(c.event, c.match, "cancel") for c in definition.cancel_on]
        _INTERESTS[key] = sorted(set(found), key=str)
    return _INTERESTS[key]


def subscribe(session: Session, *, run: Run, compiled: dict[str, Any], trigger: EventPayload | None) -> None:
    """Record the run's subscriptions (once: a run started again keeps its first ones)."""
    wanted = interests(workflow_id=run.workflow_id, version=run.version, compiled=compiled)
    if not wanted or session.exec(select(RunSubscription.id).where(RunSubscription.run_id == run.id)).first():
        return
    trigger_doc = trigger.model_dump(mode="json") if trigger else {}
    _remember_keys(
        session, account_id=run.account_id, keys={(name, match or "") for name, match, _ in wanted}
    )
    for event_name, match, kind in wanted:
        session.add(
            RunSubscription(
                account_id=run.account_id,
                event_name=event_name,
                kind=kind,
                match_expr=match,
                match_value=match_key(match, trigger_doc) if match else None,
                run_id=run.id,
                temporal_workflow_id=run.temporal_workflow_id,
                trigger_event_id=trigger.id if trigger else None,
            )
        )


def match_key(match: str, event: dict[str, Any]) -> str:
    """The indexed form of a match expression's value on an event (JSON; "null" when absent)."""
    try:
        # The workflow's budget, as the run compares the same value (interpreter.inbox).
        value = expressions.evaluate(match, event)
    except (expressions.ExpressionError, expressions.OutOfTime):
        value = None
    return json.dumps(value, sort_keys=True)


def _remember_keys(session: Session, *, account_id: str, keys: set[tuple[str, str]]) -> None:
    """Add the (event, match expression) pairs intake must look under; concurrent runs may
    add the same pair, so a conflict is not an error."""
    insert = postgresql_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    rows = [{"account_id": account_id, "event_name": name, "match_expr": match} for name, match in keys]
    session.exec(insert(SubscriptionKey).values(rows).on_conflict_do_nothing())
