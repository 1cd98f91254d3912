"""What crosses the gate workflow's boundary: its state, the runs it queues, its activities.

A run subject to flow control passes through one gate per limit that applies to it, in
``Stage`` order (debounce, concurrency, the account cap, throttle). Each gate hands the run
on to the next (``GATE_FORWARD_ACTIVITY``); the last one starts it (``GATE_START_ACTIVITY``).
Concurrency gates hold the run's slot until the run ends: its end recording signals
``GATE_RELEASE_SIGNAL`` to every gate the run passed.
"""

from typing import Literal

from pydantic import BaseModel, Field

GATE_WORKFLOW = "RelayGate"
GATE_ENQUEUE_SIGNAL = "gate_enqueue"
GATE_RELEASE_SIGNAL = "gate_release"
GATE_START_ACTIVITY = "relay.gate_start"
GATE_FORWARD_ACTIVITY = "relay.gate_forward"
GATE_SUPERSEDE_ACTIVITY = "relay.gate_supersede"
GATE_QUERY = "gate"

Kind = Literal["debounce", "concurrency", "throttle"]


class Stage(BaseModel):
    """One limit a run passes: which gate holds it and the limit's values (as of the newest run)."""

    gate_id: str
    kind: Kind
    limit: int = 1
    # Seconds: the throttle's window, the debounce's quiet period.
    period: float = 0.0
    # Seconds: the longest a debounce may hold a burst's first run back.
    max_wait: float | None = None


class GateRequest(BaseModel):
    """A run queued at a gate, and the stages still ahead of it (``stages[0]`` is this gate)."""

    run_id: str
    account_id: str
    # Position in line: the run's recording time (ISO, UTC) then its id, so a run re-sent after
    # a crash takes its old place.
    order: str
    stages: list[Stage]


class Held(BaseModel):
    """A debounced run and when it may go."""

    request: GateRequest
    # Workflow time (epoch seconds) the burst began; the run goes at ``due``.
    first_at: float
    due: float


class GateState(BaseModel):
    """Everything a gate knows, carried across continue-as-new."""

    stage: Stage
    queue: list[GateRequest] = Field(default_factory=list)
    # Runs holding a slot (concurrency): released by the run's end or cancellation.
    active: list[str] = Field(default_factory=list)
    # Start times (epoch seconds) within the throttle's window.
    starts: list[float] = Field(default_factory=list)
    # The debounce's newest run, waiting for quiet.
    held: Held | None = None
    # Runs released before they reached this gate's slots: never admitted afterwards.
    released: list[str] = Field(default_factory=list)


class GateView(BaseModel):
    """The answer to the ``gate`` query: what is queued and what holds a slot."""

    kind: Kind
    limit: int
    queued: list[str]
    active: list[str]
    held: str | None = None


class GateStarted(BaseModel):
    """What ``relay.gate_start`` did: ``started``, or ``gone`` (cancelled, or started before)."""

    outcome: Literal["started", "gone"]
    # When the start returned (epoch seconds): a throttle counts its window from the run's real
    # start, so the latency of the gate's own activity never squeezes two windows together.
    at: float | None = None
