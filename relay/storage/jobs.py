"""Bulk jobs on runs: what a job was asked to do and how far it got."""

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column
from sqlmodel import Field, SQLModel

from relay.storage.tables import utcnow


class Job(SQLModel, table=True):
    """A bulk operation (cancel, replay or rerun) over the runs a filter selects, carried out
    by a Temporal workflow so it survives any process's restart."""

    id: str = Field(primary_key=True)
    account_id: str = Field(foreign_key="account.id", index=True)
    action: str
    filter: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    # The run ids the filter selected when the job started: the job works through exactly these.
    run_ids: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    total: int = 0
    done: int = 0
    failed: int = 0
    status: str = "running"
    created_at: datetime = Field(default_factory=utcnow)
    ended_at: datetime | None = None
