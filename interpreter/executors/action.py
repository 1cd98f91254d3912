"""Runs a registered action: an activity of the action's name, with the step's timeout and retry."""

from datetime import timedelta
from typing import Any

from temporalio.common import RetryPolicy
from temporalio.exceptions import ActivityError, ApplicationError

from interpreter import engine
from interpreter.contract import ActionRequest, ActionResponse
from interpreter.executors.base import StepRun, duration, executes
from interpreter.failures import StepFailed
from interpreter.memory import Scope
from interpreter.steps.action import ActionStep
from interpreter.summaries import activity_id, summary

# How long an action may go without a heartbeat before Temporal gives its attempt up and
# retries it (on another worker if this one died), when neither the step nor the action says.
# The runtime heartbeats every third of it while the action runs, so only a dead or wedged
# worker misses it. The run's ``action_heartbeat_timeout`` (RELAY_ACTION_HEARTBEAT_TIMEOUT)
# overrides it; the interpreter reads no settings itself.
DEFAULT_ACTION_HEARTBEAT = timedelta(seconds=10)


@executes(ActionStep, own_timeout=True)
async def run_action(step: ActionStep, run: StepRun, scope: Scope, track: bool) -> Any:
    memory = run.memory
    request = ActionRequest(
        account_id=memory.input.account_id,
        run_id=memory.input.run_id,
        workflow_id=memory.input.workflow_id,
        step_id=step.id or "",
        data=run.render(step.data, scope),
        item_index=scope.item_index(),
        event_depth=memory.input.event.depth if memory.input.event else 0,
    )
    timeout = duration(step, step.timeout or "5m")
    if timeout <= timedelta(0):
        raise StepFailed(step.id or "", f"timeout {step.timeout!r}: must be longer than zero")
    try:
        response = await engine.execute_activity(
            step.type,
            request,
            result_type=ActionResponse,
            start_to_close_timeout=timeout,
            heartbeat_timeout=_heartbeat(step, memory.input.action_heartbeat_timeout),
            retry_policy=_retry_policy(step),
            summary=summary(step.id or "", step.type, scope),
            activity_id=activity_id(memory, step.id or "", scope),
        )
    except ActivityError as exc:
        if track:
            memory.view(step.id or "", step.type).attempts = _attempts(exc, step)
        raise
    if track:
        memory.view(step.id or "", step.type).attempts = response.attempt
    return response.output


def _heartbeat(step: ActionStep, run_default: float | None) -> timedelta:
    """The step's own ``heartbeat`` (or its action's, frozen in at save time), else the run's
    default, else ``DEFAULT_ACTION_HEARTBEAT``: every action heartbeats, so a killed worker is
    noticed within this, not at the step's start-to-close timeout."""
    if step.heartbeat:
        return duration(step, step.heartbeat)
    if run_default and run_default > 0:
        return timedelta(seconds=run_default)
    return DEFAULT_ACTION_HEARTBEAT


def _retry_policy(step: ActionStep) -> RetryPolicy:
    retry = step.retry
    if retry is None:
        return RetryPolicy(initial_interval=timedelta(seconds=1), backoff_coefficient=2.0, maximum_attempts=0)
    initial = duration(step, retry.initial_interval or "1s")
    maximum = duration(step, retry.max_interval) if retry.max_interval else None
    if maximum and maximum < initial and retry.max_attempts != 1:
        raise StepFailed(step.id or "", "retry.max_interval is shorter than retry.initial_interval")
    return RetryPolicy(
        initial_interval=initial,
        backoff_coefficient=retry.backoff or 2.0,
        maximum_interval=maximum,
        maximum_attempts=retry.max_attempts or 0,
        non_retryable_error_types=retry.non_retryable_errors,
    )


def _attempts(exc: ActivityError, step: ActionStep) -> int:
    """How many attempts a failed action made: the runtime puts it in the error's details;
    a timeout carries none, so then it is every attempt the retry policy allowed."""
    cause = exc.cause
    if isinstance(cause, ApplicationError) and cause.details:
        last = cause.details[-1]
        if isinstance(last, dict) and isinstance(last.get("attempt"), int):
            return int(last["attempt"])
    return step.retry.max_attempts if step.retry and step.retry.max_attempts else 0
