"""Runs one step of any type: the common frame (if, timeout, on_error, progress) and each type."""

import asyncio
from datetime import datetime, timedelta
from typing import Any

from temporalio import workflow
from temporalio.common import RetryPolicy, TypedSearchAttributes
from temporalio.exceptions import ActivityError, ApplicationError, ChildWorkflowError, FailureError
from temporalio.workflow import ParentClosePolicy

from interpreter import expressions
from interpreter.contract import (
    PREPARE_INVOKE_ACTIVITY,
    RELAY_ACCOUNT,
    WORKFLOW_NAME,
    ActionRequest,
    ActionResponse,
    InvokeRequest,
    InvokeTarget,
    RunInput,
    RunResult,
    search_attributes,
)
from interpreter.definition import (
    ActionStep,
    Branch,
    Fail,
    Filter,
    Foreach,
    Invoke,
    Parallel,
    Return,
    SetVars,
    Sleep,
    Step,
    WaitForEvent,
)
from interpreter.durations import parse_duration
from interpreter.foreach_chunks import chunk_size, run_in_children
from interpreter.inbox import Inbox
from interpreter.runner import GraphRunner, Outcome
from interpreter.state import RunEnded, RunState, Scope, StepFailed

# Failures a step's on_error may handle; anything else is a bug and fails the workflow task.
STEP_ERRORS = (StepFailed, FailureError, expressions.ExpressionError, TimeoutError, ValueError)


class Interpreter:
    """Interprets steps for one run; ``RelayRun`` owns it."""

    def __init__(self, state: RunState, inbox: Inbox) -> None:
        self.state = state
        self.inbox = inbox
        self.runner = GraphRunner(self)

    def context(self, scope: Scope) -> dict[str, Any]:
        return self.state.context(scope)

    def history_is_long(self) -> bool:
        info = workflow.info()
        return (
            info.get_current_history_length() >= self.state.input.history_limit
            or info.is_continue_as_new_suggested()
        )

    def _eval(self, source: str, scope: Scope) -> Any:
        return expressions.evaluate(source, self.context(scope), now=workflow.now())

    def _render(self, value: Any, scope: Scope) -> Any:
        return expressions.render(value, self.context(scope), now=workflow.now())

    def mark_not_reached(self, step: Step, *, track: bool) -> None:
        if track:
            self.state.mark(step.id or "", step.type, "skipped", workflow.now())

    async def run_step(self, step: Step, scope: Scope, *, track: bool) -> Outcome:
        step_id = step.id or ""
        mark = self.state.mark if track else _no_mark
        if step.if_ is not None and not expressions.truthy(self._eval(step.if_, scope)):
            mark(step_id, step.type, "skipped", workflow.now())
            return Outcome("skipped")
        mark(step_id, step.type, "running", workflow.now())
        try:
            output = await self._with_timeout(step, self._execute(step, scope, track))
        except RunEnded as ended:
            mark(step_id, step.type, "completed", workflow.now(), output=ended.output)
            raise
        except asyncio.CancelledError:
            mark(step_id, step.type, "failed", workflow.now(), error="cancelled")
            raise
        except STEP_ERRORS as exc:
            message = describe(exc)
            mark(step_id, step.type, "failed", workflow.now(), error=message,
                 attempts=_attempts(exc, step))  # fmt: skip
            if step.on_error == "continue":
                scope.outputs[step_id] = None
                return Outcome("continued")
            if step.on_error != "fail":
                return Outcome("goto", goto=step.on_error)
            raise StepFailed(step_id, message) from None
        scope.outputs[step_id] = output
        mark(step_id, step.type, "completed", workflow.now(), output=output)
        return Outcome("completed", output)

    async def _with_timeout(self, step: Step, work: Any) -> Any:
        # Actions carry their timeout to Temporal; flow steps are bounded here.
        if step.timeout is None or isinstance(step, ActionStep):
            return await work
        return await asyncio.wait_for(work, parse_duration(step.timeout).total_seconds())

    async def _execute(self, step: Step, scope: Scope, track: bool) -> Any:
        match step:
            case Filter():
                return self._filter(step, scope)
            case Sleep():
                return await self._sleep(step, scope)
            case WaitForEvent():
                return await self.inbox.wait(step, self.context(scope))
            case Branch():
                chosen = step.data.then if self._truthy(step.data.if_, scope) else step.data.else_
                return await self.runner.run_sequence(chosen, scope, track=track)
            case Parallel():
                return await self._parallel(step, scope, track)
            case Foreach():
                return await self._foreach(step, scope)
            case SetVars():
                values = self._render(step.data, scope)
                self.state.vars.update(values)
                return values
            case Return():
                raise RunEnded("completed", self._render(step.data.output, scope))
            case Fail():
                raise StepFailed(step.id or "", str(self._render(step.data.message, scope)))
            case Invoke():
                return await self._invoke(step, scope)
            case ActionStep():
                return await self._action(step, scope, track)
        raise StepFailed(step.id or "", f"{step.type} is not supported by this worker")

    def _truthy(self, source: str, scope: Scope) -> bool:
        return expressions.truthy(self._eval(source, scope))

    def _filter(self, step: Filter, scope: Scope) -> bool:
        if step.data.if_ is not None:
            passed = self._truthy(step.data.if_, scope)
        else:
            data = self.state.event.data if self.state.event else self.state.input.input
            passed = data.get(step.data.field or "") == step.data.value
        if not passed:
            raise RunEnded("filtered")
        return True

    async def _sleep(self, step: Sleep, scope: Scope) -> dict[str, str]:
        now = workflow.now()
        if step.data.duration is not None:
            until = now + parse_duration(step.data.duration)
        else:
            until = _timestamp(self._render(step.data.until, scope))
        if until > now:
            await workflow.sleep(until - now, summary=step.id)
        return {"until": until.isoformat()}

    async def _parallel(self, step: Parallel, scope: Scope, track: bool) -> list[Any]:
        tolerant = step.on_error == "continue"

        async def branch(steps: list[Step]) -> Any:
            try:
                return await self.runner.run_sequence(steps, scope, track=track)
            except STEP_ERRORS:
                if tolerant:
                    return None
                raise

        return await _all_or_cancel([branch(b) for b in step.data.branches])

    async def _foreach(self, step: Foreach, scope: Scope) -> list[Any]:
        items = self._eval(step.data.items, scope)
        if items is None:
            items = []
        if not isinstance(items, list):
            items = [items]
        if len(items) > chunk_size(step):
            return await run_in_children(step, items, scope, self.state)
        limit = asyncio.Semaphore(step.data.concurrency)
        offset = step.data.index_offset

        async def one(index: int, item: Any) -> Any:
            async with limit:
                child = scope.child(item, offset + index)
                try:
                    return await self.runner.run_sequence(step.data.do, child, track=False)
                except StepFailed as exc:
                    raise StepFailed(exc.step_id, f"item {offset + index}: {exc.message}") from None

        return await _all_or_cancel([one(i, item) for i, item in enumerate(items)])

    async def _invoke(self, step: Invoke, scope: Scope) -> Any:
        """A child run of another published workflow, pinned to its live version."""
        run_input = self._render(step.data.input, scope)
        target = await workflow.execute_activity(
            PREPARE_INVOKE_ACTIVITY,
            InvokeRequest(
                account_id=self.state.input.account_id,
                workflow=step.data.workflow,
                run_id=str(workflow.uuid4()),
                parent_run_id=self.state.input.run_id,
                input=run_input if isinstance(run_input, dict) else {"value": run_input},
            ),
            result_type=InvokeTarget,
            start_to_close_timeout=timedelta(seconds=30),
            summary=f"{step.id}: prepare child run of {step.data.workflow}",
        )
        child = target.input
        handle = await workflow.start_child_workflow(
            WORKFLOW_NAME,
            child,
            id=target.temporal_workflow_id,
            result_type=RunResult,
            parent_close_policy=ParentClosePolicy.TERMINATE if step.data.wait else ParentClosePolicy.ABANDON,
            search_attributes=_child_attributes(child),
            static_summary=f"invoked by {self.state.input.run_id} step {step.id}",
        )
        if not step.data.wait:
            return {"run_id": child.run_id}
        result = await handle
        return {"run_id": child.run_id, "status": result.status, "output": result.output}

    async def _action(self, step: ActionStep, scope: Scope, track: bool) -> Any:
        info = workflow.info()
        request = ActionRequest(
            account_id=self.state.input.account_id,
            run_id=self.state.input.run_id,
            workflow_id=self.state.input.workflow_id,
            step_id=step.id or "",
            data=self._render(step.data, scope),
        )
        retry = step.retry
        response = await workflow.execute_activity(
            step.type,
            request,
            result_type=ActionResponse,
            start_to_close_timeout=parse_duration(step.timeout or "5m"),
            heartbeat_timeout=parse_duration(step.heartbeat) if step.heartbeat else None,
            retry_policy=RetryPolicy(
                initial_interval=parse_duration(retry.initial_interval or "1s")
                if retry
                else timedelta(seconds=1),
                backoff_coefficient=(retry.backoff or 2.0) if retry else 2.0,
                maximum_interval=parse_duration(retry.max_interval) if retry and retry.max_interval else None,
                maximum_attempts=(retry.max_attempts or 0) if retry else 0,
                non_retryable_error_types=retry.non_retryable_errors if retry else None,
            ),
            summary=f"{step.id} ({step.type}) in {info.workflow_id}"[:200],
        )
        if track:
            self.state.view(step.id or "", step.type).attempts = response.attempt
        return response.output


def _child_attributes(child: RunInput) -> TypedSearchAttributes | None:
    """The child's own attributes, where the parent's run carries Relay's attributes."""
    if not workflow.info().typed_search_attributes.get(RELAY_ACCOUNT):
        return None
    return search_attributes(child.model_copy(update={"event": None}))


def _no_mark(*_args: Any, **_kwargs: Any) -> None:
    pass


async def _all_or_cancel(works: list[Any]) -> list[Any]:
    """Run concurrently; the first failure cancels the rest and is raised."""
    tasks = [asyncio.create_task(w) for w in works]
    try:
        return list(await asyncio.gather(*tasks))
    except BaseException:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        raise


def _timestamp(value: Any) -> datetime:
    if isinstance(value, int | float):
        return datetime.fromtimestamp(value / 1000, tz=workflow.now().tzinfo)
    try:
        parsed = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        raise StepFailed("", f"sleep until {value!r}: not a timestamp") from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=workflow.now().tzinfo)


def describe(exc: BaseException) -> str:
    """The most useful message of a failure chain (an activity's own error, not the wrapper)."""
    if isinstance(exc, StepFailed):
        return exc.message
    if isinstance(exc, ActivityError | ChildWorkflowError) and exc.cause is not None:
        cause = exc.cause
        while isinstance(cause, ActivityError | ChildWorkflowError) and cause.cause is not None:
            cause = cause.cause
        if isinstance(cause, ApplicationError) and cause.type:
            return f"{cause.type}: {cause.message}"
        return str(cause) or type(cause).__name__
    if isinstance(exc, TimeoutError):
        return "timed out"
    return str(exc) or type(exc).__name__


def _attempts(exc: BaseException, step: Step) -> int:
    """How many attempts a failed action made: the runtime puts it in the error's details;
    a timeout carries none, so then it is every attempt the retry policy allowed."""
    if not (isinstance(exc, ActivityError) and isinstance(step, ActionStep)):
        return 0
    cause = exc.cause
    if isinstance(cause, ApplicationError) and cause.details:
        last = cause.details[-1]
        if isinstance(last, dict) and isinstance(last.get("attempt"), int):
            return last["attempt"]
    return step.retry.max_attempts if step.retry and step.retry.max_attempts else 0
