"""Events posted by the product."""

from typing import Any

from sqlmodel import Field, SQLModel

from api.models.common import UTCDateTime
from relay.storage.tables import Event


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


class EventPublic(SQLModel):
    event_id: str
    external_id: str = Field(description="the id you gave the event; Relay's event id when you gave none")
    name: str
    data: dict[str, Any]
    received_at: UTCDateTime
    resumed: int = Field(description="how many waiting runs the event resumed")

    @classmethod
    def of(cls, row: Event) -> "EventPublic":
        return cls(**row.model_dump(exclude={"id", "account_id", "dispatched"}), event_id=row.id)


class EventDetail(EventPublic):
    runs: list[str] = Field(description="ids of the runs the event started")
    replays: list[str] = Field(description="ids of the runs replaying it started, oldest first")


class ReplayAccepted(SQLModel):
    event_id: str
    replay: int = Field(description="which replay of the event this was: 1, 2, …")
    runs: list[str] = Field(description="ids of the new runs, one per workflow the event triggered")
