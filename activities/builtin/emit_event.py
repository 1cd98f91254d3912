"""``emit_event``: post an event from a run, so one workflow can trigger others.

It goes through the same intake as ``POST /v1/events``, for the run's own account. The
event id defaults to one fixed per activity execution, so a retried step does not
post the event twice.
"""

from datetime import timedelta
from typing import Any

from pydantic import BaseModel, Field
from temporalio import activity

from activities.context import ActionContext
from activities.registry import RetryDefaults, action
from relay.services.intake import ingest


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
async def emit_event(data: EmitEventInput, ctx: ActionContext) -> EmitEventOutput:
    intake = await ingest(
        ctx.engine,
        activity.client(),
        ctx.settings,
        account_id=ctx.account_id,
        name=data.name,
        data=data.data,
        external_id=data.id or _execution_key(),
    )
    return EmitEventOutput(event_id=intake.event_id, runs=intake.runs)


def _execution_key() -> str:
    # The same for every attempt of this step execution, different for each loop iteration.
    info = activity.info()
    return f"{info.workflow_id}/{info.workflow_run_id}/{info.activity_id}"
