"""The typed messages that cross the workflow boundary: run input/result, progress, action calls.

One model per direction, every field defaulted where it can be, so a field added
later does not break runs already in flight.
"""

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, Field
from temporalio.common import SearchAttributeKey, SearchAttributePair, TypedSearchAttributes

from interpreter.definition import PinnedDefinition

RELAY_ACCOUNT = SearchAttributeKey.for_keyword("RelayAccount")
RELAY_WORKFLOW = SearchAttributeKey.for_keyword("RelayWorkflow")
RELAY_VERSION = SearchAttributeKey.for_int("RelayVersion")
RELAY_EVENT = SearchAttributeKey.for_keyword("RelayEvent")  # the triggering event's name
RELAY_EVENT_ID = SearchAttributeKey.for_keyword("RelayEventId")
RELAY_RUN = SearchAttributeKey.for_keyword("RelayRun")  # Relay's run id, as the API gives it
# ``running`` from the start, then the run's Relay status, upserted by the run as it ends.
RELAY_STATUS = SearchAttributeKey.for_keyword("RelayStatus")

WORKFLOW_NAME = "RelayRun"
PREPARE_INVOKE_ACTIVITY = "relay.prepare_invoke"
RECORD_RUN_ACTIVITY = "relay.record_run"
PROGRESS_QUERY = "progress"
EVENT_SIGNAL = "relay_event"

RunStatus = Literal["running", "completed", "filtered", "failed", "cancelled", "timed_out"]
StepStatus = Literal["pending", "running", "completed", "skipped", "failed", "waiting", "cancelled"]


class EventPayload(BaseModel):
    """An event as a workflow sees it."""

    id: str
    name: str
    data: dict[str, Any] = Field(default_factory=dict)
    received_at: datetime | None = None
    # How many events led to this one: 0 when the product posted it, +1 per emitting run.
    depth: int = 0


class Checkpoint(BaseModel):
    """A run's state carried across continue-as-new, so history stays bounded."""

    started_at: datetime
    outputs: dict[str, Any] = Field(default_factory=dict)
    vars: dict[str, Any] = Field(default_factory=dict)
    steps: list["StepView"] = Field(default_factory=list)
    edge_taken: dict[str, bool] = Field(default_factory=dict)
    settled: list[str] = Field(default_factory=list)
    ready: list[str] = Field(default_factory=list)
    last_output: Any = None
    pending_events: list[EventPayload] = Field(default_factory=list)
    seen_events: list[str] = Field(default_factory=list)
    continued: int = 0


class RunInput(BaseModel):
    """Everything a run needs, pinned when it starts: the compiled definition travels with it."""

    run_id: str
    account_id: str
    workflow_id: str
    version: int
    definition: PinnedDefinition
    event: EventPayload | None = None
    input: dict[str, Any] = Field(default_factory=dict)
    # Set only by the workflow itself when it continues as new.
    resume: Checkpoint | None = None
    # History length at which a run continues as new (Temporal warns at 10,240 events).
    history_limit: int = 4000
    # A slice of a longer run (a long ``foreach``'s child): the run it belongs to records
    # the lifecycle, so the slice records nothing of its own.
    part_of_run: bool = False
    # Seconds an action may go without a heartbeat before Temporal retries it elsewhere, for
    # steps that set no ``heartbeat`` (RELAY_ACTION_HEARTBEAT_TIMEOUT); None: the interpreter's
    # DEFAULT_ACTION_HEARTBEAT. Defaulted, so runs in flight are unaffected.
    action_heartbeat_timeout: float | None = None
    # A rerun (``POST /v1/runs/{id}/rerun``): top-level step id → the output it recorded in the
    # run being rerun; those steps are not executed again. Empty for every other run.
    reuse: dict[str, Any] = Field(default_factory=dict)


class RunResult(BaseModel):
    status: RunStatus
    output: Any = None
    error: str | None = None


class StepView(BaseModel):
    """One step's progress, as the API shows it."""

    id: str
    type: str
    status: StepStatus = "pending"
    attempts: int = 0
    started_at: datetime | None = None
    ended_at: datetime | None = None
    output: Any = None
    error: str | None = None
    # Taken from the run this one reruns, not executed.
    reused: bool = False


class Progress(BaseModel):
    """The answer to the ``progress`` query."""

    status: RunStatus = "running"
    steps: list[StepView] = Field(default_factory=list)
    output: Any = None
    error: str | None = None


class ActionRequest(BaseModel):
    """The one input of every action activity. ``data`` is rendered except ``{{ secrets.X }}``,
    which only the activity resolves, so secret values never enter workflow history."""

    account_id: str
    run_id: str
    workflow_id: str
    step_id: str
    data: dict[str, Any] = Field(default_factory=dict)
    # The chain depth of the run's triggering event (0 without one), so emit_event can add one.
    event_depth: int = 0
    # The item's position when the step runs inside a ``foreach`` (the innermost one when
    # nested), so each item gets its own idempotency key; None outside a foreach.
    item_index: int | None = None


class ActionResponse(BaseModel):
    """What every action activity returns: the action's output and the attempt that made it."""

    output: Any = None
    attempt: int = 1


Checkpoint.model_rebuild()


class RunRecord(BaseModel):
    """What a run tells Relay about itself (``relay.record_run``): once when it starts
    (``running``) and once when it ends (its final status, output, error and steps)."""

    run_id: str
    account_id: str
    workflow_id: str
    version: int
    input: dict[str, Any] = Field(default_factory=dict)
    status: RunStatus
    output: Any = None
    error: str | None = None
    steps: list[StepView] = Field(default_factory=list)


class RunRecorded(BaseModel):
    """Relay's id for the run; a scheduled fire gets its own here (its input names the schedule)."""

    run_id: str


class InvokeRequest(BaseModel):
    """Asks the ``relay.prepare_invoke`` activity to record a child run of a published workflow."""

    account_id: str
    workflow: str  # id, or the name of a workflow of the same account
    run_id: str
    parent_run_id: str
    input: dict[str, Any] = Field(default_factory=dict)


class InvokeTarget(BaseModel):
    """The recorded child run: where to start it and what it runs (the live version)."""

    temporal_workflow_id: str
    input: RunInput


def search_attributes(
    run: RunInput, *, status: str = "running", with_run: bool = True
) -> TypedSearchAttributes:
    """Relay's search attributes for a run, so the Web UI finds it from anything a customer
    quotes: account, workflow, version, run id, event name and id, status.

    ``status`` is what the run starts with (``running``). ``with_run=False`` leaves
    ``RelayRun`` out, for a schedule's action: each fire gets its run id when it starts and
    upserts it then (``interpreter.attributes``).
    """
    pairs: list[SearchAttributePair[Any]] = [
        SearchAttributePair(RELAY_ACCOUNT, run.account_id),
        SearchAttributePair(RELAY_WORKFLOW, run.workflow_id),
        SearchAttributePair(RELAY_VERSION, run.version),
        SearchAttributePair(RELAY_STATUS, status),
    ]
    if with_run:
        pairs.append(SearchAttributePair(RELAY_RUN, run.run_id))
    if run.event is not None:
        pairs.append(SearchAttributePair(RELAY_EVENT, run.event.name))
        pairs.append(SearchAttributePair(RELAY_EVENT_ID, run.event.id))
    return TypedSearchAttributes(pairs)
