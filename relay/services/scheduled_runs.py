"""Runs that schedules fired, recorded as Run rows when the API next lists runs.

Temporal starts scheduled runs by itself, so Relay learns of them from Temporal's
visibility: ``record_fired_runs`` asks for the account's executions that carry
``TemporalScheduledById`` and started since the newest one already recorded (less
``SLACK``, for visibility's lag), and records those it does not have. A run's id is
derived from its Temporal workflow id, so recording twice, even concurrently, is harmless.
"""

import asyncio
import logging
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine, func
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select
from temporalio.client import Client, WorkflowExecution
from temporalio.common import SearchAttributeKey
from temporalio.service import RPCError

from interpreter.contract import RELAY_VERSION, RELAY_WORKFLOW
from relay.storage.schedules import CronSchedule
from relay.storage.tables import Run, Workflow

log = logging.getLogger(__name__)

SLACK = timedelta(minutes=5)
SCHEDULED_BY = SearchAttributeKey.for_keyword("TemporalScheduledById")
CHUNK = 500


@dataclass(frozen=True)
class Fired:
    temporal_workflow_id: str
    temporal_schedule_id: str
    workflow_id: str
    version: int
    started_at: datetime


def scheduled_run_id(temporal_workflow_id: str) -> str:
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"relay:scheduled:{temporal_workflow_id}"))


async def record_fired_runs(engine: Engine, client: Client, *, account_id: str) -> int:
    """Record the account's scheduled runs not recorded yet; returns how many.

    Temporal being unavailable only logs: the caller's list still answers from the database.
    """
    since, has_schedules = await asyncio.to_thread(_newest, engine, account_id=account_id)
    if since is None and not has_schedules:
        return 0
    query = f"RelayAccount = {_quoted(account_id)} AND TemporalScheduledById IS NOT NULL"
    if since is not None:
        moment = (since if since.tzinfo else since.replace(tzinfo=UTC)) - SLACK
        query += f" AND StartTime >= {_quoted(moment.isoformat())}"
    try:
        fired = [_fired(execution) async for execution in client.list_workflows(query)]
    except RPCError as exc:
        log.warning("could not list scheduled runs of %s: %s", account_id, exc.message)
        return 0
    found = [f for f in fired if f is not None]
    recorded = 0
    for start in range(0, len(found), CHUNK):
        recorded += await asyncio.to_thread(
            _record, engine, account_id=account_id, fired=found[start : start + CHUNK]
        )
    return recorded


def _fired(execution: WorkflowExecution) -> Fired | None:
    attributes = execution.typed_search_attributes
    workflow_id, version = attributes.get(RELAY_WORKFLOW), attributes.get(RELAY_VERSION)
    schedule_id = attributes.get(SCHEDULED_BY)
    if workflow_id is None or version is None or schedule_id is None:
        return None
    return Fired(
        temporal_workflow_id=execution.id,
        temporal_schedule_id=schedule_id,
        workflow_id=workflow_id,
        version=version,
        started_at=execution.start_time,
    )


def _quoted(value: str) -> str:
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


def _newest(engine: Engine, *, account_id: str) -> tuple[datetime | None, bool]:
    """When the newest recorded scheduled run started, and whether the account has schedules."""
    with Session(engine) as session:
        # Only a fire's workflow id ends in its UTC fire time ("...T09:00:00Z"); other runs'
        # ids end in hexadecimal.
        newest = session.exec(
            select(func.max(Run.created_at)).where(
                Run.account_id == account_id,
                col(Run.event_id).is_(None),
                col(Run.temporal_workflow_id).like(f"relay-{account_id}-%Z"),
            )
        ).one()
        schedules = session.exec(select(CronSchedule.id).where(CronSchedule.account_id == account_id)).first()
        return newest, schedules is not None


def _record(engine: Engine, *, account_id: str, fired: list[Fired]) -> int:
    with Session(engine) as session:
        known = set(
            session.exec(
                select(Run.temporal_workflow_id).where(
                    col(Run.temporal_workflow_id).in_([f.temporal_workflow_id for f in fired])
                )
            ).all()
        )
        new = [f for f in fired if f.temporal_workflow_id not in known]
        if not new:
            return 0
        owned = set(
            session.exec(
                select(Workflow.id).where(
                    Workflow.account_id == account_id, col(Workflow.id).in_({f.workflow_id for f in new})
                )
            ).all()
        )
        inputs = dict(
            session.exec(
                select(CronSchedule.temporal_schedule_id, CronSchedule.input).where(
                    col(CronSchedule.temporal_schedule_id).in_({f.temporal_schedule_id for f in new})
                )
            ).all()
        )
        runs = [
            Run(
                id=scheduled_run_id(f.temporal_workflow_id),
                account_id=account_id,
                workflow_id=f.workflow_id,
                version=f.version,
                temporal_workflow_id=f.temporal_workflow_id,
                # A deleted schedule's input is gone with it.
                input=inputs.get(f.temporal_schedule_id, {}),
                status="running",
                created_at=f.started_at,
            )
            for f in new
            if f.workflow_id in owned
        ]
        session.add_all(runs)
        try:
            session.commit()
        except IntegrityError:  # a concurrent list recorded them first
            session.rollback()
            return 0
        return len(runs)
