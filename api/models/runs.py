"""Runs: starting one by hand, and what a run looks like from outside."""

from typing import Any

from sqlmodel import Field, SQLModel

from api.models.common import STRICT_INPUT, PlainText, UTCDateTime
from relay.storage.tables import Run


class RunCreate(SQLModel):
    model_config = STRICT_INPUT

    input: dict[str, Any] = Field(default_factory=dict, description="the run's `input` context")
    version: int | None = Field(default=None, ge=1, description="a version to run; default the live one")


class RunAccepted(SQLModel):
    run_id: str


class StepPublic(SQLModel):
    id: str = Field(description="the step's id; a `foreach` item's row is `<foreach id>[<index>]`")
    type: str = Field(description="the step's type (an action's name); `item` for a `foreach` item")
    status: str = Field(
        description="pending (not reached yet), running, waiting, completed, skipped (its `if`, "
        "edge or branch arm did not hold), failed, cancelled, or not_run (never reached: the "
        "run ended first)"
    )
    attempts: int = Field(default=0, description="attempts made; live while Temporal retries the action")
    started_at: UTCDateTime | None = None
    ended_at: UTCDateTime | None = None
    output: Any = None
    error: str | None = Field(default=None, description="why the step failed")
    last_error: str | None = Field(
        default=None, description="while the step is being retried: the error of its last attempt"
    )
    reused: bool = Field(default=False, description="taken from the run this one reruns, not executed")


class RunPublic(SQLModel):
    run_id: str
    workflow_id: str
    version: int
    event_id: str | None
    status: str = Field(
        description="pending (recorded, not yet in Temporal), queued (waiting for a flow-control "
        "slot: docs/flow-control.md), running, completed, filtered, failed, cancelled or timed_out"
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
    model_config = STRICT_INPUT

    from_step: PlainText | None = Field(
        default=None,
        description="the step to run again, with every step after it; default: the step that failed",
    )
    version: int | None = Field(default=None, ge=1, description="a version to run; default the original's")


class CancelAccepted(SQLModel):
    run_id: str
    status: str = Field(description="`cancelling` until the workflow has stopped")
