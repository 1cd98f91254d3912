"""How an action says whether a retry can help: the one place the classification lives."""

from datetime import timedelta
from email.utils import parsedate_to_datetime

from temporalio import activity
from temporalio.exceptions import ApplicationError

RETRYABLE_STATUSES = frozenset({408, 425, 429})


def permanent(message: str, *, kind: str = "ActionError") -> ApplicationError:
    """A failure no retry can fix (bad input, 4xx, unknown address)."""
    return ApplicationError(message, type=kind, non_retryable=True)


def transient(
    message: str, *, kind: str = "TransientError", delay: timedelta | None = None
) -> ApplicationError:
    """A failure worth retrying (network, 5xx, 429), after ``delay`` when the server asked."""
    return ApplicationError(message, type=kind, next_retry_delay=delay)


def retry_after(value: str | None) -> timedelta | None:
    """Parse a ``Retry-After`` header: seconds or an HTTP date."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return timedelta(seconds=int(value))
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    now = activity.info().current_attempt_scheduled_time if activity.in_activity() else None
    if now is None:
        return None
    return max(when - now, timedelta(0))


def for_http_status(status: int, message: str, *, retry_after_header: str | None = None) -> ApplicationError:
    """Classify an HTTP error status: 4xx permanent except 408/425/429; 5xx transient."""
    if 400 <= status < 500 and status not in RETRYABLE_STATUSES:
        return permanent(message, kind=f"HTTP{status}")
    return transient(message, kind=f"HTTP{status}", delay=retry_after(retry_after_header))


# Set on a failure the runtime has logged itself (one line, no traceback, for a classified
# error): the worker drops the SDK's own traceback line for it (``worker.telemetry``).
_LOGGED = "_relay_logged"


def mark_logged(error: BaseException) -> BaseException:
    """Note that ``error`` was logged already; returns it."""
    setattr(error, _LOGGED, True)
    return error


def was_logged(error: BaseException) -> bool:
    return bool(getattr(error, _LOGGED, False))
