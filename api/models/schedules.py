"""Cron schedules of a workflow (Temporal Schedules)."""

from typing import Any, Literal

from sqlmodel import Field, SQLModel

from api.models.common import STRICT_INPUT, PlainText, UTCDateTime
from relay.services.schedules import ScheduleView


class ScheduleCreate(SQLModel):
    model_config = STRICT_INPUT

    cron: PlainText = Field(
        min_length=1,
        max_length=200,
        description="a cron expression (5 fields, or @daily and friends); checked by Temporal",
        schema_extra={"examples": ["0 9 * * 1-5"]},
    )
    timezone: PlainText | None = Field(
        None,
        max_length=100,
        description="IANA time zone the cron is read in; default UTC",
        schema_extra={"examples": ["Europe/Paris"]},
    )
    input: dict[str, Any] = Field(default_factory=dict, description="the `input` context of every run")


class SchedulePublic(SQLModel):
    id: str
    workflow_id: str
    cron: str
    timezone: str | None
    input: dict[str, Any]
    version: int = Field(description="the version fires run: the live one, followed on every publish")
    status: Literal["active", "paused", "missing"] = Field(
        description="`missing`: the Temporal Schedule was deleted outside Relay"
    )
    next_times: list[UTCDateTime] = Field(description="the next fire times (none while paused)")
    created_at: UTCDateTime
    temporal_schedule_id: str
    temporal_ui_url: str

    @classmethod
    def of(cls, view: ScheduleView) -> "SchedulePublic":
        return cls(
            **view.row.model_dump(exclude={"account_id"}),
            status=view.status,
            next_times=view.next_times,
            temporal_ui_url=view.ui_url,
        )
