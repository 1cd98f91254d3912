"""Relay's tables. Every row that belongs to a customer carries ``account_id``."""

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import JSON, Column, Index, UniqueConstraint
from sqlmodel import Field, SQLModel


def utcnow() -> datetime:
    return datetime.now(UTC)


class Account(SQLModel, table=True):
    id: str = Field(primary_key=True)
    # Unique (migration 0003 renamed older duplicates): a name says which account it is.
    name: str = Field(unique=True, index=True)
    created_at: datetime = Field(default_factory=utcnow)


class ApiKey(SQLModel, table=True):
    id: str = Field(primary_key=True)
    account_id: str = Field(foreign_key="account.id", index=True)
    key_hash: str = Field(unique=True, index=True)
    created_at: datetime = Field(default_factory=utcnow)
    # The key's first characters, shown by `relay accounts list` and named to revoke it; the
    # key itself is never stored. None for keys made before migration 0003.
    prefix: str | None = Field(default=None, index=True)
    # A revoked key authenticates nothing from the moment this is set.
    revoked_at: datetime | None = None


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
    # Last: columns added by a revision come after the others (migrations == create_all).
    # Live workflows of the event's name it did not start because their trigger.if failed on
    # it (an error, or over the expression budget): [{"workflow_id", "reason"}], else None.
    skipped: list[dict[str, Any]] | None = Field(default=None, sa_column=Column(JSON, nullable=True))


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
    # Flow control (relay.services.flow_control): the gate workflows a ``queued`` run passes,
    # in order (each is told when the run ends), and when the first gate took it (None: not
    # yet, the sweeper hands it on). Both None for runs without flow control.
    gates: list[str] | None = Field(default=None, sa_column=Column(JSON, nullable=True))
    gated_at: datetime | None = None


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


class Webhook(SQLModel, table=True):
    """Where an account wants to hear that its runs ended (``run.<status>`` events)."""

    account_id: str = Field(foreign_key="account.id", primary_key=True)
    name: str = Field(primary_key=True)
    url: str
    events: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    # The signing secret, encrypted with RELAY_SECRETS_KEYS (SecretBox); never answered.
    secret_ciphertext: str
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)
