"""Human and ISO 8601 durations: "2 days", "48h", "90m", "1h30m", "P2D", "PT15M"."""

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


class DurationError(ValueError):
    pass


def parse_duration(text: str) -> timedelta:
    """Parse a duration or raise ``DurationError`` saying what is accepted."""
    raw = text.strip()
    if raw.upper().startswith("P"):
        try:
            value = isodate.parse_duration(raw.upper())
        except (isodate.ISO8601Error, ValueError) as exc:
            raise DurationError(f"{text!r} is not an ISO 8601 duration") from exc
        if not isinstance(value, timedelta):  # years/months have no fixed length
            raise DurationError(f"{text!r}: use days or weeks, not months or years")
        return value
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
    return timedelta(seconds=seconds)
