"""Runs ``sleep``: a durable timer to a duration's end or to a rendered timestamp."""

from datetime import datetime
from typing import Any

from interpreter import engine
from interpreter.executors.base import StepRun, duration, executes
from interpreter.failures import StepFailed
from interpreter.memory import Scope
from interpreter.steps.sleep import Sleep
from interpreter.summaries import summary


@executes(Sleep)
async def run_sleep(step: Sleep, run: StepRun, scope: Scope, track: bool) -> dict[str, str]:
    now = engine.now()
    if step.data.duration is not None:
        try:
            until = now + duration(step, step.data.duration)
        except OverflowError:
            raise StepFailed(step.id or "", f"sleep {step.data.duration!r}: too long") from None
    else:
        until = _timestamp(step, run.render(step.data.until, scope))
    if until > now:
        await engine.sleep(until - now, summary=summary(step.id or "", step.type, scope))
    return {"until": until.isoformat()}


def _timestamp(step: Sleep, value: Any) -> datetime:
    """Epoch milliseconds or an ISO 8601 time; a time without a zone is taken as UTC."""
    zone = engine.now().tzinfo
    try:
        if isinstance(value, int | float):
            return datetime.fromtimestamp(value / 1000, tz=zone)
        parsed = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except (ValueError, OverflowError, OSError):
        raise StepFailed(step.id or "", f"sleep until {value!r}: not a timestamp") from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=zone)
