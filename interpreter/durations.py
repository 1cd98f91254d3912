"""Human and ISO 8601 durations: "2 days", "48h", "90m", "1h30m", "P2D", "PT15M".

``parse_duration`` reads one (the workflow uses it at run time, so what it accepts never
narrows: a definition saved earlier replays unchanged). ``check_duration`` is the save-time
rule on top: not empty, not zero, at most ``MAX_DURATION`` (docs/limits.md).
"""

import re
from datetime import timedelta

import isodate

_UNITS = {
    "ms": 0.001, "millisecond": 0.001,
    "s": 1, "sec": 1, "second": 1,
    "m": 60, "min": 60, "minute": 60,
    "h": 3600, "hr": 3600, "hour": 3600,
    "d": 86400, "day": 86400,
    "w": 604800, "week": 604800,
}  # fmt: skip
_PART = re.compile(r"(\d+(?:\.\d+)?)\s*([a-z]+)")

# Sleeps, timeouts, heartbeats and retry intervals: a year is longer than any of them needs,
# and a workflow that waits longer should be a schedule.
MAX_DURATION = timedelta(days=365)
# Shorter than this is zero: Temporal's timers and timeouts count milliseconds.
MIN_DURATION = timedelta(milliseconds=1)
# "1 week 2 days 3 hours 4 minutes 5 seconds 6 milliseconds" fits; a duration is not prose.
MAX_DURATION_CHARS = 64
# timedelta's own limit is 999,999,999 days; anything near it is a typo, refused before.
_MAX_SECONDS = timedelta.max.total_seconds() / 2


class DurationError(ValueError):
    pass


def parse_duration(text: str) -> timedelta:
    """Parse a duration or raise ``DurationError`` saying what is accepted."""
    raw = text.strip()
    if raw.upper().startswith("P"):
        return _iso(text, raw)
    lowered = raw.lower().replace(",", " ").replace(" and ", " ")
    seconds, consumed = 0.0, 0
    for match in _PART.finditer(lowered):
        name = match.group(2)
        unit = _UNITS.get(name, _UNITS.get(name.removesuffix("s")))
        if unit is None:
            raise DurationError(f"{text!r}: unknown unit {match.group(2)!r}")
        seconds += float(match.group(1)) * unit
        consumed += len(match.group(0).replace(" ", ""))
    if consumed == 0 or consumed != len(lowered.replace(" ", "")):
        raise DurationError(f'{text!r} is not a duration (try "2 days", "48h", "90m" or "P2D")')
    if seconds > _MAX_SECONDS:
        raise _too_long(text)
    return timedelta(seconds=seconds)


def _iso(text: str, raw: str) -> timedelta:
    try:
        value = isodate.parse_duration(raw.upper())
    except (isodate.ISO8601Error, ValueError) as exc:
        raise DurationError(f"{text!r} is not an ISO 8601 duration") from exc
    except OverflowError:
        raise _too_long(text) from None
    if not isinstance(value, timedelta):  # years/months have no fixed length
        raise DurationError(f"{text!r}: use days or weeks, not months or years")
    return value


def _too_long(text: str) -> DurationError:
    return DurationError(f"{text!r} is longer than the longest duration allowed ({_human(MAX_DURATION)})")


def check_duration(text: str, *, maximum: timedelta = MAX_DURATION) -> timedelta:
    """The save-time rule: a duration that parses, is not zero and is at most ``maximum``."""
    if not text.strip():
        raise DurationError('a duration must not be empty (try "2 days", "48h", "90m" or "P2D")')
    if len(text) > MAX_DURATION_CHARS:
        raise DurationError(f"{text[:20]!r}…: a duration has at most {MAX_DURATION_CHARS} characters")
    value = parse_duration(text)
    if value < MIN_DURATION:
        raise DurationError(f"{text!r} is zero: a duration is at least 1 ms")
    if value > maximum:
        raise DurationError(f"{text!r} is longer than the longest duration allowed ({_human(maximum)})")
    return value


def _human(value: timedelta) -> str:
    if value.days and not value.seconds:
        return f"{value.days} days"
    return str(value)
