"""Expressions are JSONata (https://jsonata.org), the language AWS Step Functions also uses.

``{{ expr }}`` inside any string is replaced by the expression's value (a string that is
one whole ``{{ expr }}`` keeps the value's type); ``if``, ``items`` and ``match`` take a bare
expression. The context is ``event``, ``input``, ``steps.<id>.output``, ``vars``, ``run``
(and ``item``/``index`` inside ``foreach``). Evaluation is pure: ``$now()`` and
``$millis()`` give the time the workflow recorded, ``$random()`` and ``$eval()`` are refused,
so the interpreter stays deterministic under replay and every expression can be checked at
save time. ``{{ secrets.NAME }}`` is never evaluated here: it is left in place for the
action to resolve.

Every evaluation has a bounded cost (``interpreter.expression_budget``, docs/limits.md):
``WORKFLOW`` in workflow tasks, ``API`` at event intake (``evaluate_at_intake``).
"""

import functools
import json
import re
from collections.abc import Iterator, Mapping
from datetime import datetime
from typing import Any

from jsonata.jexception import JException
from jsonata.parser import Parser

from interpreter.expression_budget import (
    API,
    WORKFLOW,
    Budget,
    MeteredJsonata,
    OutOfTime,
    OverBudget,
    RegexRefused,
)

__all__ = ["API", "MAX_EXPRESSION_CHARS", "WORKFLOW", "Budget", "ExpressionError", "OutOfTime"]

TEMPLATE = re.compile(r"\{\{(.*?)\}\}", re.S)
WHOLE_TEMPLATE = re.compile(r"\{\{((?:(?!\{\{|\}\}).)*)\}\}", re.S)
SECRET_ONLY = re.compile(r"^\s*secrets\.[A-Za-z_][A-Za-z0-9_]*\s*$")
STEP_REF = re.compile(r"(?<![\w$.`])steps\.([A-Za-z_][A-Za-z0-9_]*)")
MENTIONS_SECRETS = re.compile(r"(?<![\w$.`])secrets\b")

# The longest expression a definition may hold (one ``if``, ``items``, ``match`` or one
# ``{{ }}``): real conditions and templates are a few hundred characters.
MAX_EXPRESSION_CHARS = 4_000
# Functions no expression may call: ``$random`` breaks replay, ``$eval`` runs text as an
# expression that could not be checked at save time.
REFUSED_FUNCTIONS = {
    "random": "$random() is not available: runs must be replayable",
    "eval": "$eval() is not available: every expression is checked when the workflow is saved",
}


class ExpressionError(ValueError):
    """An expression that does not parse, is refused, fails or exceeds its budget."""


def _name(source: str) -> str:
    text = source.strip()
    return repr(text if len(text) <= 200 else text[:200] + "…")


def _compile(source: str) -> MeteredJsonata:
    if len(source) > MAX_EXPRESSION_CHARS:
        raise ExpressionError(
            f"{_name(source)}: longer than {MAX_EXPRESSION_CHARS:,} characters ({len(source):,})"
        )
    try:
        return MeteredJsonata(source)
    except JException as exc:
        raise ExpressionError(f"{_name(source)}: {exc}{_hint(source)}") from None
    except RegexRefused as exc:
        raise ExpressionError(f"{_name(source)}: {exc}") from None


def _hint(source: str) -> str:
    """What a parse error likely means, where the library's own message does not say."""
    if "==" in source:
        return " (JSONata compares with '=', not '==': write a = b)"
    return ""


def check(source: str, *, budget: Budget = WORKFLOW) -> None:
    """Raise ``ExpressionError`` if ``source`` does not parse or is refused before it runs:
    too long, a regex RE2 cannot run, a refused function, a range with literal bounds
    bigger than ``budget`` allows."""
    problem = _problem(source, budget.array_items)
    if problem is not None:
        raise ExpressionError(problem)


@functools.lru_cache(maxsize=4096)
def _problem(source: str, array_items: int) -> str | None:
    """``check``'s answer; cached, as a definition repeats expressions and parsing dominates
    the validation of a large one."""
    try:
        expr = _compile(source)
    except ExpressionError as exc:
        return str(exc)
    if ".." not in source and not any(name in source for name in REFUSED_FUNCTIONS):
        return None  # nothing below can match: skip the walk
    for node in _nodes(expr.ast):
        if node.type == "function" and getattr(node.procedure, "type", None) == "variable":
            refused = REFUSED_FUNCTIONS.get(node.procedure.value)
            if refused is not None:
                return f"{_name(source)}: {refused}"
        if node.type == "binary" and node.value == "..":
            low, high = node.lhs, node.rhs
            literal = low.type == "number" and high.type == "number"
            if literal and high.value - low.value + 1 > array_items:
                bounds = f"[{low.value}..{high.value}]"
                return f"{_name(source)}: the range {bounds} has more than {array_items:,} items"
    return None


# Where the library's parsed nodes keep their children (``lhs_object``: [key, value] pairs).
_CHILDREN = (
    "lhs", "rhs", "expr", "expression", "expressions", "steps", "stages", "predicate", "terms",
    "group", "lhs_object", "arguments", "procedure", "body", "condition", "then", "_else",
    "pattern", "update", "delete",
)  # fmt: skip


def _nodes(root: Parser.Symbol) -> Iterator[Parser.Symbol]:
    """Every node of a parsed expression (the library has no walker)."""
    stack = [root]
    while stack:
        node = stack.pop()
        yield node
        for name in _CHILDREN:
            value = getattr(node, name, None)
            if value is None:
                continue
            for child in value if isinstance(value, list) else (value,):
                if isinstance(child, Parser.Symbol):
                    stack.append(child)
                elif isinstance(child, list):
                    stack.extend(c for c in child if isinstance(c, Parser.Symbol))


def _refused(name: str) -> Any:
    def refuse(*_args: Any) -> None:
        raise ExpressionError(REFUSED_FUNCTIONS[name])

    return refuse


def evaluate(
    source: str, context: Mapping[str, Any], *, now: datetime | None = None, budget: Budget = WORKFLOW
) -> Any:
    """Evaluate one bare expression over ``context`` within ``budget``.

    Over budget raises ``ExpressionError`` naming the expression, except the workflow
    budget's last-resort CPU clock: ``OutOfTime`` fails the task (retried), never the step.
    """
    expr = _compile(source)
    functions = {name: _refused(name) for name in REFUSED_FUNCTIONS}
    if now is not None:
        stamp = now.isoformat(timespec="milliseconds").replace("+00:00", "Z")
        millis = int(now.timestamp() * 1000)
        functions["now"] = lambda *_args: stamp
        functions["millis"] = lambda: millis
    try:
        value = expr.run(dict(context), budget, functions)
    except (ExpressionError, OutOfTime):
        raise
    except OverBudget as exc:
        raise ExpressionError(f"{_name(source)}: over its budget: {exc}") from None
    except JException as exc:
        raise ExpressionError(f"{_name(source)}: {exc}") from None
    except RecursionError:
        raise ExpressionError(f"{_name(source)}: over its budget: nests too deep") from None
    except Exception as exc:
        # The library reports some faults of an expression as Python errors ($number("x")
        # is a ValueError, $power(10, 1000) an OverflowError): they are the expression's
        # faults, for the step's on_error to handle, not the interpreter's.
        raise ExpressionError(f"{_name(source)}: {str(exc) or type(exc).__name__}") from None
    return _plain(value)


def evaluate_at_intake(source: str, context: Mapping[str, Any]) -> Any:
    """Evaluate in the API (``trigger.if``, flow-control keys): the small ``API`` budget,
    its CPU clock included, so no event waits long on another's expression. Call it off
    the event loop (in the services' database thread)."""
    return evaluate(source, context, budget=API)


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
