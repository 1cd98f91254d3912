"""Relay's tables. Every row that belongs to a customer carries ``account_id``."""

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import JSON, Column, Index, UniqueConstraint
from sqlmodel import Field, SQLModel


def utcnow() -> datetime:
    return datetime.now(UTC)


class Account(SQLModel, table=True):
    id: str = Field(primary_key=True)
    name: str
    created_at: datetime = Field(default_factory=utcnow)


class ApiKey(SQLModel, table=True):
    id: str = Field(primary_key=True)
    account_id: str = Field(foreign_key="account.id", index=True)
    key_hash: str = Field(unique=True, index=True)
    created_at: datetime = Field(default_factory=utcnow)


class Workflow(SQLModel, table=True):
    __table_args__ = (Index("ix_workflow_trigger", "account_id", "trigger_event", "archived"),)

    id: str = Field(primary_key=True)
    account_id: str = Field(foreign_key="account.id", index=True)
    name: str
    draft: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    latest_version: int = 0
    live_version: int | None = None
    # The live version's trigger event, copied here so intake finds workflows by index.
    trigger_event: str | None = None
    archived: bool = False
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


class WorkflowVersion(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("workflow_id", "version"),)

    id: int | None = Field(default=None, primary_key=True)
    workflow_id: str = Field(foreign_key="workflow.id", index=True)
    version: int
    definition: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    # The validated, normalised form the interpreter runs; frozen with the version.
    compiled: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    # The compiled trigger event; publishing copies it to ``Workflow.trigger_event``.
    trigger_event: str | None = None
    created_at: datetime = Field(default_factory=utcnow)


class Event(SQLModel, table=True):
    __table_args__ = (
        UniqueConstraint("account_id", "external_id"),
        Index("ix_event_account_name", "account_id", "name", "received_at"),
    )

    id: str = Field(primary_key=True)
    account_id: str = Field(foreign_key="account.id", index=True)
    external_id: str
    name: str
    data: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    received_at: datetime = Field(default_factory=utcnow)
    # False until every run the event triggered has been started in Temporal.
    dispatched: bool = Field(default=False, index=True)
    resumed: int = 0
    # How many events led to this one: 0 when the product posts it, one more per emitting run.
    depth: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    # Why the event started no run although workflows match it (its chain was too deep).
    refused: str | None = None
    # The sweeper's tries at dispatching it: how many, the last error, when to try again.
    dispatch_attempts: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    dispatch_error: str | None = None
    next_dispatch_at: datetime | None = None


class Run(SQLModel, table=True):
    __table_args__ = (
        Index("ix_run_account_created", "account_id", "created_at"),
        UniqueConstraint("event_id", "workflow_id"),
    )

    id: str = Field(primary_key=True)
    account_id: str = Field(foreign_key="account.id", index=True)
    workflow_id: str = Field(foreign_key="workflow.id", index=True)
    version: int
    event_id: str | None = Field(default=None, index=True)
    temporal_workflow_id: str = Field(unique=True)
    input: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    status: str = Field(default="pending", index=True)
    output: Any = Field(default=None, sa_column=Column(JSON, nullable=True))
    error: str | None = None
    # Step views, written once the run has ended so a finished run reads without Temporal.
    steps: list[dict[str, Any]] | None = Field(default=None, sa_column=Column(JSON, nullable=True))
    created_at: datetime = Field(default_factory=utcnow)
    ended_at: datetime | None = None
    # The run this one reruns (``POST /v1/runs/{id}/rerun``), whose completed steps it reuses.
    rerun_of: str | None = Field(default=None, index=True)


class Secret(SQLModel, table=True):
    account_id: str = Field(foreign_key="account.id", primary_key=True)
    name: str = Field(primary_key=True)
    ciphertext: str
    updated_at: datetime = Field(default_factory=utcnow)


class EmailTemplate(SQLModel, table=True):
    account_id: str = Field(foreign_key="account.id", primary_key=True)
    name: str = Field(primary_key=True)
    subject: str
    text: str
    html: str | None = None
    updated_at: datetime = Field(default_factory=utcnow)
