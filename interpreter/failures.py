"""How steps and runs end early, and which failures a step's ``on_error`` may handle."""

from typing import Literal

from temporalio.exceptions import ActivityError, ApplicationError, ChildWorkflowError, FailureError

from interpreter.expressions import ExpressionError


class RunEnded(Exception):
    """Ends the whole run early: ``filter`` false (filtered) or ``return`` (completed)."""

    def __init__(self, status: Literal["completed", "filtered"], output: object = None) -> None:
        super().__init__(status)
        self.status: Literal["completed", "filtered"] = status
        self.output = output


class StepFailed(Exception):
    """A step failed and its ``on_error`` says the failure travels up."""

    def __init__(self, step_id: str, message: str) -> None:
        super().__init__(f"step {step_id!r} failed: {message}")
        self.step_id = step_id
        self.message = message


# The failures a step may raise and its on_error may handle. Anything else (a ValueError
# or TypeError from the interpreter itself) is a bug: it fails the workflow task, which
# Temporal retries once the worker is fixed, instead of being swallowed as a step failure.
STEP_ERRORS = (StepFailed, FailureError, ExpressionError, TimeoutError)


def failure_message(exc: BaseException) -> str:
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
