"""Flow control of a definition (SPEC §8): ``concurrency``, ``throttle``, ``debounce``, ``priority``.

The models are the definition's top-level keys; ``check`` is their save-time validation (a
bad key expression, a limit under 1, a period that is not a duration: each names its field).
``key_value`` and ``priority_value`` evaluate them when a run is recorded, over ``event`` and
``input`` only: a key that cannot be evaluated is the ``null`` key (the run still runs), a
priority that cannot be evaluated is the default one. No workflow code uses them: the API
decides where a run queues before the run exists.
"""

import json
from typing import Any

from pydantic import Field

from interpreter import expressions
from interpreter.durations import DurationError, parse_duration
from interpreter.steps.base import Strict

# Temporal's task priorities with the default server configuration: 1 first, 5 last, 3 default.
PRIORITY_MIN, PRIORITY_MAX, PRIORITY_DEFAULT = 1, 5, 3
# What a key expression that fails (or yields nothing) counts as.
NULL_KEY = "null"


class Concurrency(Strict):
    limit: int = Field(ge=1, le=10_000)
    key: str | None = None


class Throttle(Strict):
    limit: int = Field(ge=1, le=10_000)
    period: str
    key: str | None = None


class Debounce(Strict):
    period: str
    key: str | None = None
    max_wait: str | None = None


# ``priority``: an integer 1-5, or an expression over event/input giving one.
Priority = int | str


class FlowControl(Strict):
    """The flow-control keys as a compiled definition carries them."""

    concurrency: Concurrency | None = None
    throttle: Throttle | None = None
    debounce: Debounce | None = None
    priority: Priority | None = None


def check(flow: FlowControl, add: Any) -> None:
    """Save-time checks beyond the models' own; ``add(loc, message)`` records a problem."""
    for name in ("concurrency", "throttle", "debounce"):
        part = getattr(flow, name)
        if part is None:
            continue
        if part.key is not None:
            _check_key(part.key, f"{name}.key", add)
        for field in ("period", "max_wait"):
            value = getattr(part, field, None)
            if value is None:
                continue
            try:
                seconds = parse_duration(value).total_seconds()
            except DurationError as exc:
                add(f"{name}.{field}", str(exc))
                continue
            if seconds <= 0:
                add(f"{name}.{field}", f"{value!r}: must be longer than zero")
    debounce = flow.debounce
    if debounce is not None and debounce.max_wait is not None:
        try:
            if parse_duration(debounce.max_wait) < parse_duration(debounce.period):
                add("debounce.max_wait", "must be at least debounce.period")
        except DurationError:
            pass  # reported above
    priority = flow.priority
    if isinstance(priority, bool) or (
        isinstance(priority, int) and not PRIORITY_MIN <= priority <= PRIORITY_MAX
    ):
        add("priority", f"must be an integer from {PRIORITY_MIN} to {PRIORITY_MAX}, or an expression")
    elif isinstance(priority, str):
        _check_key(priority, "priority", add)


def _check_key(source: str, loc: str, add: Any) -> None:
    try:
        expressions.check(source, budget=expressions.API)  # evaluated at intake
    except expressions.ExpressionError as exc:
        add(loc, f"bad expression: {exc}")
        return
    if expressions.step_references(source) or expressions.mentions_secrets(source):
        add(loc, "may use only `event` and `input`: it is evaluated before the run starts")


def context(event: dict[str, Any] | None, input: dict[str, Any]) -> dict[str, Any]:
    """What key and priority expressions see."""
    return {"event": event or {}, "input": input}


def key_value(source: str | None, scope: dict[str, Any]) -> tuple[str, str | None]:
    """The key a run counts under, and why it is ``null`` when its expression failed."""
    if source is None:
        return "", None
    try:
        value = expressions.evaluate_at_intake(source, scope)
    except Exception as exc:  # the author's expression on this event: never drops the run
        return NULL_KEY, f"{type(exc).__name__}: {str(exc)[:200]}"
    if value is None:
        return NULL_KEY, "the key expression gave no value"
    return (value if isinstance(value, str) else json.dumps(value, sort_keys=True, default=str)), None


def priority_value(priority: Priority | None, scope: dict[str, Any]) -> tuple[int, str | None]:
    """The run's task priority (1 first), and why it is the default when its expression failed."""
    if priority is None:
        return PRIORITY_DEFAULT, None
    if isinstance(priority, int):
        return priority, None
    try:
        value = expressions.evaluate_at_intake(priority, scope)
        number = int(value)
    except Exception as exc:  # a bad priority must not stop the run: default priority
        return PRIORITY_DEFAULT, f"{type(exc).__name__}: {str(exc)[:200]}"
    if isinstance(value, bool) or number != value:
        return PRIORITY_DEFAULT, f"priority {value!r} is not an integer"
    return min(max(number, PRIORITY_MIN), PRIORITY_MAX), None
