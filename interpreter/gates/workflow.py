"""RelayGate: one long-lived workflow per flow-control key, holding its queue and its slots.

The API signal-with-starts the gate with a run instead of starting the run; the gate lets
runs through in order as its limit allows and hands each on (to the next gate, or starts it)
with an activity. Everything it knows is workflow state, so a killed worker, API or Temporal
server loses nothing: the gate resumes from its history. It closes when it holds nothing
(a later run starts it again) and continues as new before its history grows long.

- ``concurrency``: a run holds a slot from the moment it passes until its end recording (or
  its cancellation) signals ``gate_release``;
- ``throttle``: at most ``limit`` runs pass per ``period`` (a sliding window of pass times);
- ``debounce``: the gate holds the newest run of a burst until ``period`` passes with no newer
  one, or ``max_wait`` since the burst began; the runs it replaces are recorded as superseded.

Deterministic: time is ``workflow.now()``, waits are timers, all I/O is in activities.
"""

import bisect
from datetime import timedelta

from temporalio import workflow
from temporalio.common import RetryPolicy

with workflow.unsafe.imports_passed_through():
    from interpreter.gates.contract import (
        GATE_ENQUEUE_SIGNAL,
        GATE_FORWARD_ACTIVITY,
        GATE_QUERY,
        GATE_RELEASE_SIGNAL,
        GATE_START_ACTIVITY,
        GATE_SUPERSEDE_ACTIVITY,
        GATE_WORKFLOW,
        GateRequest,
        GateStarted,
        GateState,
        GateView,
        Held,
        Stage,
    )

# History length at which a gate continues as new (Temporal warns at 10,240 events).
HISTORY_LIMIT = 2000
# Starting or handing on one run: a database row and one Temporal call. Retried without
# limit: a queued run is never dropped, and the start is idempotent (fixed workflow id).
STEP_TIMEOUT = timedelta(seconds=30)
STEP_RETRY = RetryPolicy(initial_interval=timedelta(seconds=1), maximum_interval=timedelta(seconds=30))


@workflow.defn(name=GATE_WORKFLOW)
class RelayGate:
    def __init__(self) -> None:
        self._state: GateState | None = None
        # Signals that arrive before ``run`` has the state (signal-with-start).
        self._early: list[tuple[str, object]] = []
        self._superseded: list[tuple[GateRequest, str]] = []
        self._wake = False

    @workflow.run
    async def run(self, state: GateState) -> None:
        self._state = state
        for name, value in self._early:
            self._apply(name, value)
        self._early.clear()
        while True:
            await self._admit()
            if self._idle():
                return
            info = workflow.info()
            if info.get_current_history_length() > HISTORY_LIMIT or info.is_continue_as_new_suggested():
                await workflow.wait_condition(workflow.all_handlers_finished)
                if not self._superseded:
                    workflow.continue_as_new(self._state)
                continue
            self._wake = False
            try:
                await workflow.wait_condition(lambda: self._wake, timeout=self._next_wake())
            except TimeoutError:
                pass  # a throttle window or a debounce period is over

    @workflow.signal(name=GATE_ENQUEUE_SIGNAL)
    def enqueue(self, request: GateRequest) -> None:
        self._apply("enqueue", request)

    @workflow.signal(name=GATE_RELEASE_SIGNAL)
    def release(self, run_id: str) -> None:
        self._apply("release", run_id)

    @workflow.query(name=GATE_QUERY)
    def view(self) -> GateView:
        state = self._state
        assert state is not None
        return GateView(
            kind=state.stage.kind,
            limit=state.stage.limit,
            queued=[r.run_id for r in state.queue],
            active=list(state.active),
            held=state.held.request.run_id if state.held else None,
        )

    def _apply(self, name: str, value: object) -> None:
        state = self._state
        if state is None:
            self._early.append((name, value))
            return
        self._wake = True
        if name == "release":
            assert isinstance(value, str)
            state.queue = [r for r in state.queue if r.run_id != value]
            if value in state.active:
                state.active.remove(value)
            if state.held is not None and state.held.request.run_id == value:
                state.held = None
            return
        assert isinstance(value, GateRequest)
        # The newest run's definition says the limits (a republished version may change them).
        state.stage = value.stages[0]
        if state.stage.kind == "debounce":
            self._debounce(value)
            return
        known = value.run_id in state.active or any(r.run_id == value.run_id for r in state.queue)
        if not known:  # a run re-sent after a crash keeps its place; never twice in line
            orders = [r.order for r in state.queue]
            state.queue.insert(bisect.bisect_right(orders, value.order), value)

    def _debounce(self, request: GateRequest) -> None:
        state = self._state
        assert state is not None
        now = workflow.now().timestamp()
        held = state.held
        if held is None:
            state.held = Held(request=request, first_at=now, due=self._due(now, now))
        elif held.request.run_id == request.run_id:
            return
        elif request.order > held.request.order:
            self._superseded.append((held.request, request.run_id))
            state.held = Held(request=request, first_at=held.first_at, due=self._due(now, held.first_at))
        else:  # an older run that arrives late (re-sent after a crash)
            self._superseded.append((request, held.request.run_id))

    def _due(self, now: float, first_at: float) -> float:
        stage = self._stage()
        due = now + stage.period
        if stage.max_wait is not None:
            due = min(due, first_at + stage.max_wait)
        return due

    async def _admit(self) -> None:
        """Let through every run the limit allows now, one at a time, in order."""
        state = self._state
        assert state is not None
        while self._superseded:
            request, newer = self._superseded.pop(0)
            await self._step(GATE_SUPERSEDE_ACTIVITY, [request.run_id, newer], f"supersede {request.run_id}")
        stage = state.stage
        now = workflow.now().timestamp()
        if stage.kind == "debounce":
            held = state.held
            if held is not None and now >= held.due:
                state.held = None
                await self._pass(held.request)
        elif stage.kind == "concurrency":
            while state.queue and len(state.active) < stage.limit:
                request = state.queue.pop(0)
                # The slot is taken before the hand-on: a release that comes meanwhile frees it.
                state.active.append(request.run_id)
                if await self._pass(request) is None and request.run_id in state.active:
                    state.active.remove(request.run_id)
        else:
            while state.queue:
                now = workflow.now().timestamp()
                state.starts = [t for t in state.starts if t > now - stage.period]
                if len(state.starts) >= stage.limit:
                    break
                request = state.queue.pop(0)
                state.starts.append(now)
                started = await self._pass(request)
                state.starts.remove(now)
                if started is not None:  # else it did not start: its place in the window is free
                    state.starts.append(max(now, started))

    async def _pass(self, request: GateRequest) -> float | None:
        """Hand the run on to the next gate, or start it: when (epoch seconds), or None if it
        is gone (cancelled meanwhile)."""
        ahead = request.stages[1:]
        if ahead:
            onward = request.model_copy(update={"stages": ahead})
            await self._step(GATE_FORWARD_ACTIVITY, [onward], f"to {ahead[0].kind} gate: {request.run_id}")
            return workflow.now().timestamp()
        answer = await self._step(GATE_START_ACTIVITY, [request.run_id], f"start run {request.run_id}")
        started = GateStarted.model_validate(answer)
        if started.outcome != "started":
            return None
        return started.at if started.at is not None else workflow.now().timestamp()

    async def _step(self, activity: str, args: list[object], summary: str) -> object:
        return await workflow.execute_activity(
            activity,
            args=args,
            result_type=GateStarted if activity == GATE_START_ACTIVITY else None,
            start_to_close_timeout=STEP_TIMEOUT,
            retry_policy=STEP_RETRY,
            summary=summary[:200],
        )

    def _idle(self) -> bool:
        state = self._state
        assert state is not None
        if state.queue or state.active or state.held or self._superseded:
            return False
        now = workflow.now().timestamp()
        return not [t for t in state.starts if t > now - state.stage.period]

    def _next_wake(self) -> timedelta | None:
        """When a timer must wake the gate: a debounce's due time, a throttle window's end."""
        state = self._state
        assert state is not None
        now = workflow.now().timestamp()
        moments = []
        if state.held is not None:
            moments.append(state.held.due)
        if state.starts and state.stage.kind == "throttle":
            moments.append(min(state.starts) + state.stage.period)
        if not moments:
            return None
        return timedelta(seconds=max(min(moments) - now, 0.001))

    def _stage(self) -> Stage:
        assert self._state is not None
        return self._state.stage
