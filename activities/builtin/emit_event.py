"""``emit_event``: post an event from a run, so one workflow can trigger others.

It goes through the same intake as ``POST /v1/events``, for the run's own account. The
event id defaults to one fixed per activity execution, so a retried step does not
post the event twice. A class action: the worker constructs it with the event intake,
which holds the database, the Temporal client and the settings the action never sees.
"""

from datetime import timedelta
from typing import Any, Protocol

from pydantic import BaseModel, Field
from temporalio import activity

from activities.context import ActionContext
from activities.registry import RetryDefaults, action


class Ingested(Protocol):
    @property
    def event_id(self) -> str: ...

    @property
    def runs(self) -> list[str]: ...


class EventIntake(Protocol):
    """Records an event for an account and starts what it triggers (``EventService.ingest``)."""

    async def __call__(
        self,
        *,
        account_id: str,
        name: str,
        data: dict[str, Any],
        external_id: str | None = None,
        depth: int = 0,
    ) -> Ingested: ...


class EmitEventInput(BaseModel):
    name: str = Field(min_length=1, max_length=200, description="the event's name")
    data: dict[str, Any] = Field(default_factory=dict, description="the event's data")
    id: str | None = Field(
        None, min_length=1, max_length=200, description="an id for idempotency; default: one per step run"
    )


class EmitEventOutput(BaseModel):
    event_id: str
    runs: list[str] = Field(description="ids of the runs the event started")


@action(
    "emit_event",
    input=EmitEventInput,
    output=EmitEventOutput,
    description="Post an event to this account, starting every live workflow it triggers.",
    timeout=timedelta(seconds=30),
    retry=RetryDefaults(max_attempts=10),
)
class EmitEvent:
    def __init__(self, *, intake: EventIntake) -> None:
        self._intake = intake

    async def __call__(self, data: EmitEventInput, ctx: ActionContext) -> EmitEventOutput:
        # Always the run's own account: a run cannot post into another one.
        ingested = await self._intake(
            account_id=ctx.account_id,
            name=data.name,
            data=data.data,
            external_id=data.id or _execution_key(),
            # One more than the event that started this run: a chain too deep starts nothing.
            depth=ctx.event_depth + 1,
        )
        return EmitEventOutput(event_id=ingested.event_id, runs=ingested.runs)


def _execution_key() -> str:
    # The same for every attempt of this step execution, different for each loop iteration.
    info = activity.info()
    return f"{info.workflow_id}/{info.workflow_run_id}/{info.activity_id}"
