"""``DryEngine``: the ``interpreter.engine.Engine`` of a test run. No I/O, no Temporal.

Actions answer from their mocks (else null), a failing mock makes the attempts its step's
retry policy would make; timers take no time but move a virtual clock; ``wait_for_event``
takes what is already delivered or times out at once; ``invoke`` runs the target's live
version as a nested test run whose steps are reported under ``<invoke step id>.``.
"""

import asyncio
import re
import time
import uuid
from collections.abc import Awaitable, Callable, Sequence
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, NoReturn, TypeVar, cast

from pydantic import BaseModel
from temporalio.common import RetryPolicy, SearchAttributeKey, SearchAttributeUpdate
from temporalio.exceptions import ActivityError, ApplicationError, ChildWorkflowError, RetryState

from interpreter.contract import (
    PREPARE_INVOKE_ACTIVITY,
    RECORD_RUN_ACTIVITY,
    ActionRequest,
    ActionResponse,
    InvokeRequest,
    InvokeTarget,
    RunInput,
    RunRecord,
    RunRecorded,
    RunResult,
)
from interpreter.dry_run.models import DryRunRequest, Mock

T = TypeVar("T")

SECRET = re.compile(r"\{\{\s*secrets\.([A-Za-z_][A-Za-z0-9_]*)\s*\}\}")
# Invokes nested deeper than this fail the step: a workflow invoking itself would never end.
MAX_INVOKE_DEPTH = 8

# The step whose executor is running in this task (set as each step starts), so an ``invoke``
# knows under which id to report its child run's steps.
_step: ContextVar[str] = ContextVar("relay_dry_run_step", default="")


class DeadlineExceeded(RuntimeError):
    """The test run took longer (in wall-clock time) than its request allows."""


@dataclass
class Trace:
    """What one test run (with its nested runs) shares and records."""

    request: DryRunRequest
    clock: datetime
    deadline: float
    # Rendered data of each tracked step, by reported id.
    data: dict[str, Any] = field(default_factory=dict)
    # Nested runs by the reported id of the step that started them.
    children: dict[str, Any] = field(default_factory=dict)
    # Their tasks: one an ``invoke`` with ``wait: false`` started may outlive its parent.
    tasks: list["asyncio.Task[RunResult]"] = field(default_factory=list)


class DryEngine:
    """One run of a test run: the top-level run, or a run it invokes (``prefix`` set)."""

    def __init__(self, trace: Trace, *, run_id: str, prefix: str = "", depth: int = 0) -> None:
        self.trace = trace
        self.run_id = run_id
        self.prefix = prefix
        self.depth = depth

    def now(self) -> datetime:
        return self.trace.clock

    def uuid4(self) -> uuid.UUID:
        return uuid.uuid4()

    def patched(self, patch_id: str) -> bool:
        return True  # a test run follows today's code paths

    def workflow_id(self) -> str:
        return f"test-{self.run_id}"

    def history_is_long(self, limit: int) -> bool:
        return False

    def search_attribute(self, key: SearchAttributeKey[Any]) -> Any:
        return None  # a test run is no Temporal workflow: it carries none

    def upsert_search_attributes(self, updates: Sequence[SearchAttributeUpdate[Any]]) -> None:
        pass

    async def sleep(self, delay: timedelta, *, summary: str | None) -> None:
        self._advance(delay)
        await asyncio.sleep(0)

    async def wait_condition(self, done: Callable[[], bool]) -> None:
        # Only the run's own tasks make ``done`` hold, and none of them waits on the world.
        while not done():
            if time.monotonic() > self.trace.deadline:
                raise DeadlineExceeded(f"the test run took longer than {self.trace.request.deadline:g} s")
            await asyncio.sleep(0)

    async def wait_for_event(
        self, found: Callable[[], bool], *, within: timedelta | None, summary: str | None
    ) -> None:
        # Every event of the request was delivered before the run started: no more will come.
        if found():
            return
        if within is not None:
            self._advance(within)
        raise TimeoutError

    async def execute_activity(self, activity: str, arg: Any, *, result_type: type[T], **options: Any) -> T:
        answer: BaseModel
        if activity == RECORD_RUN_ACTIVITY:
            assert isinstance(arg, RunRecord)
            answer = RunRecorded(run_id=arg.run_id)  # a test run leaves no Run row
        elif activity == PREPARE_INVOKE_ACTIVITY:
            assert isinstance(arg, InvokeRequest)
            answer = self._invoke_target(arg)
        else:
            assert isinstance(arg, ActionRequest)
            answer = self._action(activity, arg, options.get("retry_policy"))
        assert isinstance(answer, result_type)
        await asyncio.sleep(0)
        return answer

    async def execute_local_activity(
        self, activity: str, arg: Any, *, result_type: type[T], **options: Any
    ) -> T:
        return await self.execute_activity(activity, arg, result_type=result_type, **options)

    async def start_child_workflow(
        self, name: str, arg: Any, *, id: str, result_type: type[T], **options: Any
    ) -> Awaitable[T]:
        assert isinstance(arg, RunInput)
        reported = _step.get()
        if arg.part_of_run:
            # A slice of a long foreach: its steps are this run's, mocked and reported as such.
            child = DryEngine(self.trace, run_id=arg.run_id, prefix=self.prefix, depth=self.depth)
        else:
            child = DryEngine(self.trace, run_id=arg.run_id, prefix=f"{reported}.", depth=self.depth + 1)
        task = asyncio.create_task(self._child(child, arg, reported=reported, workflow_id=id))
        self.trace.tasks.append(task)
        return cast(Awaitable[T], task)

    async def execute_child_workflow(
        self, name: str, arg: Any, *, id: str, result_type: type[T], **options: Any
    ) -> T:
        return await (await self.start_child_workflow(name, arg, id=id, result_type=result_type, **options))

    def continue_as_new(self, arg: Any) -> NoReturn:
        raise RuntimeError("a test run never continues as new")  # history_is_long is always False

    def step_started(self, step: Any, render: Callable[[Any], Any], *, track: bool) -> None:
        reported = self.prefix + (step.id or "")
        _step.set(reported)
        if track:
            self.trace.data[reported] = _shown(step, render)

    def _advance(self, delay: timedelta) -> None:
        self.trace.clock = max(self.trace.clock, self.trace.clock + delay)

    def _action(self, activity: str, request: ActionRequest, retry: RetryPolicy | None) -> ActionResponse:
        mock = self.trace.request.mocks.get(self.prefix + request.step_id) or Mock()
        if mock.error is None:
            return ActionResponse(output=mock.output, attempt=1)
        error = mock.error
        attempts, waited = _attempts(retry, error.type, non_retryable=error.non_retryable)
        self._advance(waited)
        state = RetryState.NON_RETRYABLE_FAILURE if attempts == 1 else RetryState.MAXIMUM_ATTEMPTS_REACHED
        raise _activity_error(activity, request.step_id, error.type, error.message, attempts, state)

    def _invoke_target(self, request: InvokeRequest) -> InvokeTarget:
        target = self.trace.request.targets.get(request.workflow)
        problem = None
        if self.depth >= MAX_INVOKE_DEPTH:
            problem = f"invoke: nested deeper than {MAX_INVOKE_DEPTH} in a test run"
        elif target is None or target.definition is None:
            problem = (
                target.problem if target else f"invoke: no workflow with id or name {request.workflow!r}"
            )
        if problem is not None:
            raise _activity_error(
                PREPARE_INVOKE_ACTIVITY,
                request.run_id,
                "InvokeTarget",
                problem,
                1,
                RetryState.NON_RETRYABLE_FAILURE,
            )
        assert target is not None and target.definition is not None
        child = RunInput(
            run_id=request.run_id,
            account_id=request.account_id,
            workflow_id=target.workflow_id,
            version=target.version,
            definition=target.definition,
            input=request.input,
        )
        return InvokeTarget(temporal_workflow_id=f"test-{request.run_id}", input=child)

    async def _child(
        self, child: "DryEngine", run_input: RunInput, *, reported: str, workflow_id: str
    ) -> RunResult:
        # Imported here: the runner imports this module.
        from interpreter.dry_run.run import run_workflow

        progress = await run_workflow(child, run_input, events=[])
        if not run_input.part_of_run:
            self.trace.children[reported] = (run_input.definition, progress)
        if progress.status == "failed":
            cause = ApplicationError(progress.error or "failed", type="StepFailed", non_retryable=True)
            error = ChildWorkflowError(
                "child workflow failed",
                namespace="test",
                workflow_id=workflow_id,
                run_id=run_input.run_id,
                workflow_type="RelayRun",
                initiated_event_id=0,
                started_event_id=0,
                retry_state=RetryState.NON_RETRYABLE_FAILURE,
            )
            raise error from cause
        return RunResult(status=progress.status, output=progress.output, error=progress.error)


def _attempts(retry: RetryPolicy | None, error_type: str, *, non_retryable: bool) -> tuple[int, timedelta]:
    """The attempts the retry policy makes of an action that always fails so, and the time
    spent waiting between them."""
    if retry is None or non_retryable or error_type in (retry.non_retryable_error_types or ()):
        return 1, timedelta(0)
    attempts = retry.maximum_attempts or 1
    waited, interval = timedelta(0), retry.initial_interval
    for _ in range(attempts - 1):
        waited += interval
        interval = interval * retry.backoff_coefficient
        if retry.maximum_interval is not None:
            interval = min(interval, retry.maximum_interval)
    return attempts, waited


def _activity_error(
    activity: str, activity_id: str, error_type: str, message: str, attempts: int, state: RetryState
) -> ActivityError:
    """The error Temporal hands the workflow when an activity fails for good; the action
    runtime puts the attempt in the details, as here."""
    error = ActivityError(
        "activity error",
        scheduled_event_id=0,
        started_event_id=0,
        identity="relay-test-run",
        activity_type=activity,
        activity_id=activity_id,
        retry_state=state,
    )
    error.__cause__ = ApplicationError(message, {"attempt": attempts}, type=error_type, non_retryable=True)
    return error


def _shown(step: Any, render: Callable[[Any], Any]) -> Any:
    """The step's data as it runs: rendered, sub-lists left out, secrets named, not resolved."""
    data = step.data
    if isinstance(data, BaseModel):
        data = data.model_dump(
            mode="json", by_alias=True, exclude_none=True, exclude={sub.attr for sub in step.sublists}
        )
    try:
        rendered = render(data)
    except Exception:  # the executor renders it too and fails the step with the message
        rendered = data
    return secrets_named(rendered)


def secrets_named(value: Any) -> Any:
    """``{{ secrets.NAME }}`` shown as ``[secret NAME]``, in strings nested anywhere."""
    if isinstance(value, str):
        return SECRET.sub(lambda m: f"[secret {m.group(1)}]", value)
    if isinstance(value, dict):
        return {k: secrets_named(v) for k, v in value.items()}
    if isinstance(value, list):
        return [secrets_named(v) for v in value]
    return value
