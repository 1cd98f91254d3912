"""Events posted by the product."""

from typing import Any

from sqlmodel import Field, SQLModel

from api.models.common import STRICT_INPUT, PathSafeId, PlainText, UTCDateTime
from relay.storage.tables import Event

MAX_NESTING = 64


def nesting(value: Any) -> int:
    """How deep JSON ``value`` nests (a scalar is 0), without recursion."""
    deepest, stack = 0, [(value, 0)]
    while stack:
        item, level = stack.pop()
        children = item.values() if isinstance(item, dict) else item if isinstance(item, list) else None
        if children is None:
            deepest = max(deepest, level)
            continue
        deepest = max(deepest, level + 1)
        stack.extend((child, level + 1) for child in children)
    return deepest


class EventCreate(SQLModel):
    model_config = STRICT_INPUT

    name: PlainText = Field(
        min_length=1,
        max_length=200,
        description="no control characters",
        schema_extra={"examples": ["crm/lead_status.changed"]},
    )
    data: dict[str, Any] = Field(default_factory=dict)
    id: PathSafeId | None = Field(
        None,
        min_length=1,
        max_length=200,
        description="your id for the event: posting it again answers the same and starts nothing. "
        "No '/' and no control characters, so it reads back at `GET /v1/events/{id}`",
    )


class EventAccepted(SQLModel):
    event_id: str
    runs: list[str] = Field(description="ids of the runs the event started")
    resumed: int = Field(0, description="how many waiting runs the event resumed")
    pending: bool = Field(
        False,
        description="recorded, but Temporal is unreachable: its runs start (and waiting runs get it) "
        "within a minute of Temporal's return",
    )
    refused: str | None = Field(
        None, description="why the event started no run and resumed none (its chain is too deep)"
    )
    started: list["StartedRun"] = Field(
        default_factory=list, description="the runs the event started, with their workflow and version"
    )
    skipped: list["SkippedWorkflow"] = Field(
        default_factory=list,
        description="live workflows the event did not start because their trigger.if failed on it "
        "(an error, or over the expression budget), with the reason",
    )
    matched: bool = Field(
        True,
        description="false when the event started no run and resumed none: no live workflow's trigger "
        "matched it (is the workflow published?) and no run was waiting for it",
    )


class StartedRun(SQLModel):
    run_id: str
    workflow_id: str
    version: int


class SkippedWorkflow(SQLModel):
    workflow_id: str
    reason: str = Field(description="the trigger.if and why it failed")


EventAccepted.model_rebuild()


class EventPublic(SQLModel):
    event_id: str
    external_id: str = Field(description="the id you gave the event; Relay's event id when you gave none")
    name: str
    data: dict[str, Any]
    received_at: UTCDateTime
    resumed: int = Field(description="how many waiting runs the event resumed")
    depth: int = Field(0, description="how many events led to this one: 0 when you posted it")
    refused: str | None = Field(
        None, description="why the event started no run and resumed none (its chain is too deep)"
    )
    pending: bool = Field(False, description="recorded but not yet handed on to Temporal")
    skipped: list[SkippedWorkflow] = Field(
        default_factory=list,
        description="live workflows the event did not start because their trigger.if failed on it "
        "(an error, or over the expression budget), with the reason",
    )

    @classmethod
    def of(cls, row: Event) -> "EventPublic":
        return cls(
            **row.model_dump(
                exclude={
                    "id",
                    "account_id",
                    "dispatched",
                    "dispatch_attempts",
                    "dispatch_error",
                    "next_dispatch_at",
                    "skipped",
                }
            ),
            skipped=[SkippedWorkflow(**s) for s in row.skipped or []],
            event_id=row.id,
            pending=not row.dispatched,
        )


class EventDetail(EventPublic):
    runs: list[str] = Field(description="ids of the runs the event started")
    replays: list[str] = Field(description="ids of the runs replaying it started, oldest first")


class ReplayAccepted(SQLModel):
    event_id: str
    replay: int = Field(description="which replay of the event this was: 1, 2, …")
    runs: list[str] = Field(description="ids of the new runs, one per workflow the event triggered")
