"""Expressions are JSONata (https://jsonata.org), the language AWS Step Functions also uses.

``{{ expr }}`` inside any string is replaced by the expression's value (a string that is
one whole ``{{ expr }}`` keeps the value's type); ``if``, ``items`` and ``match`` take a bare
expression. The context is ``event``, ``input``, ``steps.<id>.output``, ``vars``, ``run``
(and ``item``/``index`` inside ``foreach``). Evaluation is pure: ``$now()`` and
``$millis()`` give the time the workflow recorded, ``$random()`` is refused, so the
interpreter stays deterministic under replay. ``{{ secrets.NAME }}`` is never evaluated
here: it is left in place for the action to resolve.
"""

import json
import re
from collections.abc import Mapping
from datetime import datetime
from typing import Any

import jsonata
from jsonata.jexception import JException

TEMPLATE = re.compile(r"\{\{(.*?)\}\}", re.S)
WHOLE_TEMPLATE = re.compile(r"\{\{((?:(?!\{\{|\}\}).)*)\}\}", re.S)
SECRET_ONLY = re.compile(r"^\s*secrets\.[A-Za-z_][A-Za-z0-9_]*\s*$")
STEP_REF = re.compile(r"(?<![\w$.`])steps\.([A-Za-z_][A-Za-z0-9_]*)")
MENTIONS_SECRETS = re.compile(r"(?<![\w$.`])secrets\b")


class ExpressionError(ValueError):
    """An expression that does not parse or cannot be evaluated."""


def _compile(source: str) -> jsonata.Jsonata:
    try:
        return jsonata.Jsonata(source)
    except JException as exc:
        raise ExpressionError(f"{source.strip()!r}: {exc}") from None


def check(source: str) -> None:
    """Raise ``ExpressionError`` if ``source`` does not parse."""
    _compile(source)


def _no_random() -> None:
    raise ExpressionError("$random() is not available: runs must be replayable")


def evaluate(source: str, context: Mapping[str, Any], *, now: datetime | None = None) -> Any:
    """Evaluate one bare expression over ``context``."""
    expr = _compile(source)
    if now is not None:
        stamp = now.isoformat(timespec="milliseconds").replace("+00:00", "Z")
        millis = int(now.timestamp() * 1000)
        expr.register_lambda("now", lambda *_args: stamp)
        expr.register_lambda("millis", lambda: millis)
    expr.register_lambda("random", _no_random)
    try:
        value = expr.evaluate(dict(context))
    except ExpressionError:
        raise
    except JException as exc:
        raise ExpressionError(f"{source.strip()!r}: {exc}") from None
    except Exception as exc:
        # The library reports some faults of an expression as Python errors ($number("x")
        # is a ValueError, $power(10, 1000) an OverflowError): they are the expression's
        # faults, for the step's on_error to handle, not the interpreter's.
        raise ExpressionError(f"{source.strip()!r}: {str(exc) or type(exc).__name__}") from None
    return _plain(value)


def truthy(value: Any) -> bool:
    """JSONata's boolean cast: empty strings, lists, objects, 0 and null are false."""
    if isinstance(value, list):
        return any(truthy(v) for v in value)
    return bool(value)


def render(value: Any, context: Mapping[str, Any], *, now: datetime | None = None) -> Any:
    """Render every ``{{ }}`` in strings nested anywhere in ``value``."""
    if isinstance(value, str):
        return _render_string(value, context, now)
    if isinstance(value, dict):
        return {k: render(v, context, now=now) for k, v in value.items()}
    if isinstance(value, list):
        return [render(v, context, now=now) for v in value]
    return value


def _render_string(text: str, context: Mapping[str, Any], now: datetime | None) -> Any:
    whole = WHOLE_TEMPLATE.fullmatch(text.strip())
    if whole and not SECRET_ONLY.match(whole.group(1)):
        return evaluate(whole.group(1), context, now=now)

    def substitute(match: re.Match[str]) -> str:
        if SECRET_ONLY.match(match.group(1)):
            return match.group(0)
        return _as_text(evaluate(match.group(1), context, now=now))

    return TEMPLATE.sub(substitute, text)


def _as_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict | list):
        return json.dumps(value, separators=(",", ":"), default=str)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _plain(value: Any) -> Any:
    """JSONata returns its own list and number types; hand back plain JSON values."""
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
        return int(value)
    return value


def templates_in(value: Any) -> list[str]:
    """Every ``{{ }}`` expression inside ``value`` (strings nested in dicts and lists)."""
    if isinstance(value, str):
        return [m.group(1) for m in TEMPLATE.finditer(value)]
    if isinstance(value, dict):
        return [e for v in value.values() for e in templates_in(v)]
    if isinstance(value, list):
        return [e for v in value for e in templates_in(v)]
    return []


def step_references(source: str) -> set[str]:
    """Step ids an expression reads through ``steps.<id>``."""
    return set(STEP_REF.findall(source))


def mentions_secrets(source: str) -> bool:
    return bool(MENTIONS_SECRETS.search(source))


def is_secret_reference(source: str) -> bool:
    return bool(SECRET_ONLY.match(source))
