"""Cron schedules of workflows: Temporal runs them, a row here says whose each one is."""

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column, Engine, update
from sqlmodel import Field, Session, SQLModel, col, select

from relay.core.errors import Conflict, NotFound
from relay.storage.tables import Workflow, WorkflowVersion, utcnow


class CronSchedule(SQLModel, table=True):
    """One Temporal Schedule that starts runs of a workflow on a cron spec."""

    id: str = Field(primary_key=True)
    account_id: str = Field(foreign_key="account.id", index=True)
    workflow_id: str = Field(foreign_key="workflow.id", index=True)
    temporal_schedule_id: str = Field(unique=True)
    cron: str
    timezone: str | None = None
    input: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    # The version the schedule's action starts; publishing moves it to the new live one.
    version: int
    created_at: datetime = Field(default_factory=utcnow)


def list_schedules(engine: Engine, *, account_id: str, workflow_id: str) -> list[CronSchedule]:
    """The workflow's schedules, oldest first; another account's workflow is unknown."""
    with Session(engine, expire_on_commit=False) as session:
        _workflow(session, account_id=account_id, workflow_id=workflow_id)
    return of_workflow(engine, workflow_id=workflow_id)


def of_workflow(engine: Engine, *, workflow_id: str) -> list[CronSchedule]:
    with Session(engine, expire_on_commit=False) as session:
        statement = (
            select(CronSchedule)
            .where(CronSchedule.workflow_id == workflow_id)
            .order_by(col(CronSchedule.created_at), col(CronSchedule.id))
        )
        return list(session.exec(statement).all())


def get_schedule(engine: Engine, *, account_id: str, workflow_id: str, schedule_id: str) -> CronSchedule:
    """The schedule, if it belongs to that workflow of that account."""
    with Session(engine, expire_on_commit=False) as session:
        row = session.get(CronSchedule, schedule_id)
        if row is None or row.account_id != account_id or row.workflow_id != workflow_id:
            raise NotFound(f"workflow {workflow_id!r} has no schedule {schedule_id!r}")
        return row


def live(engine: Engine, *, account_id: str, workflow_id: str) -> tuple[Workflow, WorkflowVersion]:
    """The workflow and its live version, which a new schedule will run."""
    with Session(engine, expire_on_commit=False) as session:
        workflow = _workflow(session, account_id=account_id, workflow_id=workflow_id)
        if workflow.archived:
            raise Conflict(f"workflow {workflow_id!r} is archived")
        version = _live_version(session, workflow)
        if version is None:
            raise Conflict(f"workflow {workflow_id!r} has no live version: publish one first")
        return workflow, version


def behind(engine: Engine, *, workflow_id: str) -> tuple[Workflow, WorkflowVersion, list[CronSchedule]]:
    """The workflow, its live version and its schedules still on another version."""
    with Session(engine, expire_on_commit=False) as session:
        workflow = session.get(Workflow, workflow_id)
        version = _live_version(session, workflow) if workflow else None
        if workflow is None or version is None:
            raise NotFound(f"workflow {workflow_id!r} has no live version")
        rows = session.exec(
            select(CronSchedule).where(
                CronSchedule.workflow_id == workflow_id, CronSchedule.version != version.version
            )
        ).all()
        return workflow, version, list(rows)


def insert(engine: Engine, row: CronSchedule) -> None:
    with Session(engine, expire_on_commit=False) as session:
        session.add(row)
        session.commit()


def set_version(engine: Engine, *, schedule_ids: list[str], version: int) -> None:
    with Session(engine) as session:
        session.exec(
            update(CronSchedule).where(col(CronSchedule.id).in_(schedule_ids)).values(version=version)
        )
        session.commit()


def delete(engine: Engine, *, schedule_id: str) -> None:
    with Session(engine) as session:
        row = session.get(CronSchedule, schedule_id)
        if row is not None:
            session.delete(row)
            session.commit()


def _workflow(session: Session, *, account_id: str, workflow_id: str) -> Workflow:
    workflow = session.get(Workflow, workflow_id)
    if workflow is None or workflow.account_id != account_id:
        raise NotFound(f"workflow {workflow_id!r} does not exist")
    return workflow


def _live_version(session: Session, workflow: Workflow) -> WorkflowVersion | None:
    return session.exec(
        select(WorkflowVersion).where(
            WorkflowVersion.workflow_id == workflow.id, WorkflowVersion.version == workflow.live_version
        )
    ).first()
