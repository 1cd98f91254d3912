"""Events posted by the product."""

from typing import Any

from sqlmodel import Field, SQLModel


class EventCreate(SQLModel):
    name: str = Field(min_length=1, max_length=200, schema_extra={"examples": ["crm/lead_status.changed"]})
    data: dict[str, Any] = Field(default_factory=dict)
    id: str | None = Field(
        None,
        min_length=1,
        max_length=200,
        description="your id for the event: posting it again answers the same and starts nothing",
    )


class EventAccepted(SQLModel):
    event_id: str
    runs: list[str] = Field(description="ids of the runs the event started")
    resumed: int = Field(0, description="how many waiting runs the event resumed")
