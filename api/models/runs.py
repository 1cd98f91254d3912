"""Runs: starting one by hand, and what a run looks like from outside."""

from typing import Any

from sqlmodel import Field, SQLModel

from api.models.common import UTCDateTime
from relay.storage.tables import Run


class RunCreate(SQLModel):
    input: dict[str, Any] = Field(default_factory=dict, description="the run's `input` context")
    version: int | None = Field(default=None, ge=1, description="a version to run; default the live one")


class RunAccepted(SQLModel):
    run_id: str


class StepPublic(SQLModel):
    id: str
    type: str
    status: str
    attempts: int = 0
    started_at: UTCDateTime | None = None
    ended_at: UTCDateTime | None = None
    output: Any = None
    error: str | None = None
    reused: bool = Field(default=False, description="taken from the run this one reruns, not executed")


class RunPublic(SQLModel):
    run_id: str
    workflow_id: str
    version: int
    event_id: str | None
    status: str = Field(
        description="pending (recorded, not yet in Temporal), running, completed, filtered, "
        "failed, cancelled or timed_out"
    )
    input: dict[str, Any]
    output: Any = None
    error: str | None = None
    created_at: UTCDateTime
    ended_at: UTCDateTime | None = None
    temporal_workflow_id: str
    temporal_ui_url: str
    rerun_of: str | None = Field(default=None, description="the run this one reruns")

    @classmethod
    def of(cls, row: Run, *, ui_url: str) -> "RunPublic":
        return cls(
            **row.model_dump(exclude={"id", "account_id", "steps"}),
            run_id=row.id,
            temporal_ui_url=ui_url,
        )


class RunDetail(RunPublic):
    steps: list[StepPublic] = Field(default_factory=list)


class RerunCreate(SQLModel):
    from_step: str | None = Field(
        default=None,
        description="the step to run again, with every step after it; default: the step that failed",
    )
    version: int | None = Field(default=None, ge=1, description="a version to run; default the original's")


class CancelAccepted(SQLModel):
    run_id: str
    status: str = Field(description="`cancelling` until the workflow has stopped")
