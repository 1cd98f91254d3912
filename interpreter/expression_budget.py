"""The cost budget of one expression evaluation, and the linear-time regex engine.

Expressions are user input that runs in the API (``trigger.if``, flow-control keys) and in
workflow tasks (``if``, ``items``, ``match``, templates), so each evaluation is metered:

* **units**: one per evaluation step of the JSONata tree, plus the values it touches (one per
  ``ITEMS_PER_UNIT`` list items or object keys a node yields or a built-in receives, one per
  ``CHARS_PER_UNIT`` characters of a string a built-in receives or an operator builds). A
  unit is about 2.5 µs of CPU.
  Counting, not timing, decides, so an evaluation ends the same way on every replay;
* **depth**: nested evaluation (recursive functions);
* **sizes**: the longest string and array an expression may build; a range is refused before
  it exists;
* **regexes** compile with RE2 (linear time, no backtracking); what RE2 cannot do (back
  references, look-around) does not parse, so it is refused at save time;
* a **clock** as a last resort, for a step that counting does not capture (a deep
  comparison of big objects in a loop): the CPU time of the evaluating thread, so neither a
  loaded machine nor other evaluations waiting on the GIL count against this one. In the
  workflow, running out of it is not the expression's fault (a slower machine could replay
  differently): it fails the workflow task, which Temporal retries, and never becomes part
  of the run's history.

This module is pure and holds no state between evaluations; the worker passes it through
its sandbox (``worker/build.py``) so the clock and RE2 are the real ones.
"""

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import jsonata
import re2  # type: ignore[import-untyped]  # google-re2 ships no type information
from jsonata.regex_engine import RegexFlags

# A built-in reads this many characters of a string, or handles this many items of a list, in
# about the time of one evaluation step (measured: docs/limits.md).
CHARS_PER_UNIT = 1024
ITEMS_PER_UNIT = 4
# The clock is read every this many steps (reading it each step would cost ~10%).
CLOCK_EVERY = 64
# Node types whose result is a value the expression built (not one it read from its context).
_BUILDS = frozenset({"function", "partial", "apply", "binary", "unary", "transform"})


@dataclass(frozen=True)
class Budget:
    units: int
    depth: int
    string_chars: int
    array_items: int
    cpu_seconds: float
    # CPU seconds of the evaluating thread. API: over it is the expression's fault.
    # Workflow: it is the task's (see the module's doc).
    clock_is_expression_fault: bool


# In a workflow task: 60-90 ms of CPU at most (a foreach over 10,000 items or a filter over
# 5,000 objects fits). Small, because a worker's other runs wait on the same GIL meanwhile,
# and on a loaded machine wall time is many times CPU time while the SDK's deadlock detector
# counts wall time (2 s). The clock stops what counting missed at 1 s of CPU. Heavy data
# work belongs in an action, not in an expression.
WORKFLOW = Budget(
    units=25_000,
    depth=1_000,
    string_chars=4_000_000,
    array_items=100_000,
    cpu_seconds=1.0,
    clock_is_expression_fault=False,
)
# At event intake, per workflow the event may start: ~25 ms of CPU at most, stopped at 50 ms,
# and evaluated outside the write lock, so one account's condition holds up no other event.
API = Budget(
    units=10_000,
    depth=500,
    string_chars=1_000_000,
    array_items=20_000,
    cpu_seconds=0.05,
    clock_is_expression_fault=True,
)


class OverBudget(Exception):
    """The expression needs more than its budget: the expression's fault (fails its step)."""


class OutOfTime(RuntimeError):
    """A workflow task's expression ran past its CPU time: the task fails and is retried."""


class RegexRefused(ValueError):
    """A regex the linear-time engine cannot run (back references, look-around)."""


def _options() -> Any:
    options = re2.Options()
    options.log_errors = False
    # The memory of one compiled pattern (RE2 also refuses repetitions nested past 1,000).
    options.max_mem = 8 << 20
    return options


_RE2_OPTIONS = _options()


def re2_engine(pattern: str, flags: RegexFlags) -> Any:
    """JSONata's pluggable regex engine: ``/.../i`` and ``/.../m`` literals compile with RE2."""
    inline = ("i" if flags.case_insensitive else "") + ("m" if flags.multiline else "")
    source = f"(?{inline}){pattern}" if inline else pattern
    try:
        return re2.compile(source, _RE2_OPTIONS)
    except re2.error as exc:
        detail = exc.args[0].decode() if exc.args and isinstance(exc.args[0], bytes) else str(exc)
        raise RegexRefused(
            f"regex /{pattern}/ is not supported ({detail}): regexes run in linear time (RE2), "
            "without back references or look-around"
        ) from None


def _size(value: Any) -> int:
    """Units for handing ``value`` to a built-in: its items or keys, or its characters."""
    if isinstance(value, str):
        return len(value) // CHARS_PER_UNIT
    if isinstance(value, list | dict):
        return len(value) // ITEMS_PER_UNIT
    return 0


class Meter:
    """Counts one evaluation against a ``Budget``; hooked into the library's entry/exit calls."""

    def __init__(self, budget: Budget) -> None:
        self.budget = budget
        self.units = 0
        self.depth = 0
        self.started = time.thread_time()

    def charge(self, units: int) -> None:
        self.units += units
        if self.units > self.budget.units:
            raise OverBudget(f"needs more than {self.budget.units:,} evaluation steps")

    def enter(self, expr: Any, _input: Any, _env: Any) -> None:
        self.depth += 1
        if self.depth > self.budget.depth:
            raise OverBudget(f"nests deeper than {self.budget.depth} levels")
        self.charge(1)
        if self.units % CLOCK_EVERY == 0:
            self.check_clock()

    def leave(self, expr: Any, _input: Any, _env: Any, result: Any) -> None:
        self.depth -= 1
        if isinstance(result, list | dict):
            if getattr(expr, "type", None) in _BUILDS and isinstance(result, list):
                self.check_items(len(result))
            self.charge(len(result) // ITEMS_PER_UNIT)
        elif isinstance(result, str) and getattr(expr, "type", None) in _BUILDS:
            if len(result) > self.budget.string_chars:
                raise OverBudget(f"builds a string longer than {self.budget.string_chars:,} characters")
            self.charge(len(result) // CHARS_PER_UNIT)

    def check_items(self, count: int) -> None:
        if count > self.budget.array_items:
            raise OverBudget(f"builds an array of more than {self.budget.array_items:,} items")

    def check_clock(self) -> None:
        if time.thread_time() - self.started <= self.budget.cpu_seconds:
            return
        message = f"used more than {self.budget.cpu_seconds:g} s of CPU"
        if self.budget.clock_is_expression_fault:
            raise OverBudget(message)
        raise OutOfTime(message)


class MeteredJsonata(jsonata.Jsonata):
    """A parsed expression whose evaluation is metered; regexes compile with RE2."""

    meter: Meter

    def __init__(self, source: str) -> None:
        super().__init__(source, re2_engine)

    def apply_inner(self, proc: Any, args: Any, input: Any, environment: Any) -> Any:
        # A built-in's work grows with what it is handed ($sum, $string, $match over a big
        # value); a lambda's is counted step by step as it runs.
        if isinstance(proc, jsonata.Jsonata.JFunction) and isinstance(args, list):
            self.meter.charge(sum(_size(arg) for arg in args))
            if getattr(proc, "function_name", None) == "pad" and len(args) > 1:
                # $pad builds its string in one call: refuse the width before it is built.
                width = args[1]
                if isinstance(width, int | float) and abs(width) > self.meter.budget.string_chars:
                    raise OverBudget(
                        f"builds a string longer than {self.meter.budget.string_chars:,} characters"
                    )
        return super().apply_inner(proc, args, input, environment)

    def evaluate_range_expression(self, lhs: Any, rhs: Any) -> Any:
        # Refused before it exists: the library's range is lazy, and only what iterates it
        # (a built-in, in one call) would pay for its size.
        if isinstance(lhs, int) and isinstance(rhs, int) and not isinstance(lhs, bool | float):
            self.meter.check_items(rhs - lhs + 1)
        return super().evaluate_range_expression(lhs, rhs)

    def run(self, context: Any, budget: Budget, functions: dict[str, Callable[..., Any]]) -> Any:
        """Evaluate over ``context`` within ``budget``; raises ``OverBudget`` or ``OutOfTime``."""
        self.meter = Meter(budget)
        for name, function in functions.items():
            self.register_lambda(name, function)
        self.environment.set_evaluate_entry_callback(self.meter.enter)
        self.environment.set_evaluate_exit_callback(self.meter.leave)
        # Higher-order built-ins ($map, $filter, ...) call back through the thread's current
        # instance: it must be this one, so their steps are metered here.
        jsonata.Jsonata.CURRENT.jsonata = self
        # Contexts are JSON already (events, inputs, outputs): the library's check of every
        # value would walk the whole context on each evaluation, outside any budget.
        self.set_validate_input(False)
        return self.evaluate(context)
