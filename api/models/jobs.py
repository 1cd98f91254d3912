"""Bulk jobs on runs: the request, the dry run's answer and a job as it stands."""

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from api.models.common import AwareIsoDateTime, PlainText, UTCDateTime
from relay.storage.jobs import Job

RunStatus = Literal["pending", "running", "completed", "filtered", "failed", "cancelled", "timed_out"]


class BulkFilter(BaseModel):
    """Which runs: all the given fields must hold (none given: every run of the account)."""

    model_config = ConfigDict(extra="forbid", strict=True)

    workflow_id: PlainText | None = None
    version: int | None = Field(default=None, ge=1)
    status: RunStatus | None = None
    event_name: PlainText | None = Field(default=None, description="runs started by events of this name")
    # Not strict: a JSON timestamp is a string, which strict mode would refuse.
    since: AwareIsoDateTime | None = Field(default=None, strict=False, description="runs created at or after")
    until: AwareIsoDateTime | None = Field(default=None, strict=False, description="runs created before")


class BulkRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    action: Literal["cancel", "replay", "rerun"]
    filter: BulkFilter = Field(default_factory=BulkFilter)
    dry_run: bool = Field(default=False, description="only count the runs the filter selects")


class BulkCount(BaseModel):
    count: int


class JobAccepted(BaseModel):
    job_id: str


class JobPublic(BaseModel):
    id: str
    action: str
    filter: dict[str, Any]
    total: int
    done: int
    failed: int
    status: str = Field(description="running, completed or failed")
    created_at: UTCDateTime
    ended_at: UTCDateTime | None = None

    @classmethod
    def of(cls, row: Job) -> "JobPublic":
        return cls.model_validate(row.model_dump(exclude={"account_id", "run_ids"}))
