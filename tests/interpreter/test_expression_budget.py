"""Every expression evaluation has a bounded cost (interpreter.expression_budget).

The library's own evaluator runs here (no stand-ins): regexes on RE2, counting hooked into
its evaluation. Timed checks are generous: they tell a bounded evaluation (milliseconds)
from the unbounded one the issue measured (tens of seconds).
"""

import time
from dataclasses import replace

import pytest

from interpreter import expressions
from interpreter.expression_budget import API, WORKFLOW, OutOfTime
from interpreter.expressions import ExpressionError, check, evaluate

EVIL = "$match(event.data.s, /(a+)+$/)"
EVIL_INPUT = {"event": {"data": {"s": "a" * 50_000 + "!"}}}


def _timed(source: str, context: dict[str, object], **kwargs: object) -> tuple[float, object]:
    started = time.perf_counter()
    try:
        value: object = evaluate(source, context, **kwargs)  # type: ignore[arg-type]
    except ExpressionError as exc:
        value = exc
    return time.perf_counter() - started, value


def test_a_catastrophic_regex_runs_in_linear_time() -> None:
    took, value = _timed(EVIL, EVIL_INPUT)

    assert value is None  # no match, and the right answer
    assert took < 1.0, f"{took:.2f}s"


def test_regexes_keep_their_meaning_on_re2() -> None:
    assert evaluate('$replace("abcabc", /(b)/, "[$1]")', {}) == "a[b]ca[b]c"
    assert evaluate('$split("a1b22c", /[0-9]+/)', {}) == ["a", "b", "c"]
    assert evaluate('$match("Hello", /L+/i)', {}) == {"match": "ll", "index": 2, "groups": []}
    assert evaluate('$contains("one\\ntwo", /^two$/m)', {}) is True
    assert evaluate('$contains("one\\ntwo", /^two$/)', {}) is False
    assert evaluate('$match("joe@x.io", /(\\w+)@(.+)/).groups', {}) == ["joe", "x.io"]


@pytest.mark.parametrize("regex", ["/(a)\\1/", "/a(?=b)/", "/(?<=a)b/"])
def test_a_regex_re2_cannot_run_is_refused_when_saved(regex: str) -> None:
    with pytest.raises(ExpressionError, match="not supported"):
        check(f"$match(event.data.s, {regex})")


def test_a_huge_literal_range_is_refused_when_saved() -> None:
    with pytest.raises(ExpressionError, match=r"range \[1..10000000\] has more than 100,000 items"):
        check("$sum([1..10000000]) > 5")
    check("$sum([1..100]) > 5")  # small ranges are fine


def test_a_huge_range_from_data_fails_at_once_naming_the_expression() -> None:
    took, value = _timed("$sum([1..event.data.n]) > 5", {"event": {"data": {"n": 10_000_000}}})

    assert isinstance(value, ExpressionError)
    assert "'$sum([1..event.data.n]) > 5'" in str(value) and "more than 100,000 items" in str(value)
    assert took < 1.0


def test_many_steps_exceed_the_step_budget() -> None:
    source = "$count([1..1000].([1..1000].($ * 2)))"
    took, value = _timed(source, {})

    assert isinstance(value, ExpressionError) and "evaluation steps" in str(value), value
    assert took < 2.0, f"{took:.2f}s"


def test_a_built_in_over_a_big_value_is_paid_for() -> None:
    # Each $contains reads the whole 1 MB string: ~1,000 units a call, so 1,000 calls are over.
    context = {"event": {"data": {"s": "x" * 1_000_000}}}
    _, value = _timed("$count([1..1000][$contains($$.event.data.s, 'y')])", context)

    assert isinstance(value, ExpressionError) and "evaluation steps" in str(value), value


def test_deep_recursion_is_cut() -> None:
    deep = "($f := function($n){ $n = 0 ? 0 : 1 + $f($n - 1) }; $f(100000))"
    _, value = _timed(deep, {})

    assert isinstance(value, ExpressionError) and "nests deeper than" in str(value), value
    assert evaluate("($f := function($n){ $n = 0 ? 0 : 1 + $f($n - 1) }; $f(50))", {}) == 50


@pytest.mark.parametrize(
    "source",
    ['$pad("x", 100000000)', '$reduce([1..40], function($a, $b){ $a & $a }, "x")'],
)
def test_a_string_too_long_is_refused(source: str) -> None:
    took, value = _timed(source, {})

    assert isinstance(value, ExpressionError) and "string longer than" in str(value), value
    assert took < 1.0


@pytest.mark.parametrize("source", ["$random()", '$eval("1 + 1")'])
def test_refused_functions(source: str) -> None:
    with pytest.raises(ExpressionError, match="not available"):
        check(source)
    with pytest.raises(ExpressionError, match="not available"):
        evaluate(source, {})


def test_an_expression_too_long_is_refused() -> None:
    long = " + ".join(["1"] * 2_000)
    assert len(long) > expressions.MAX_EXPRESSION_CHARS
    with pytest.raises(ExpressionError, match="longer than 4,000 characters"):
        check(long)


def test_the_intake_budget_is_smaller() -> None:
    source = "$sum([1..event.data.n])"
    context = {"event": {"data": {"n": 25_000}}}

    assert evaluate(source, context) == 25_000 * 25_001 // 2
    with pytest.raises(ExpressionError, match="over its budget"):
        expressions.evaluate_at_intake(source, context)


def test_the_budget_counts_so_results_do_not_depend_on_speed() -> None:
    """The same expression ends the same way however long it took: the budget is counted."""
    source = "$count([1..300].([1..300].($ * 2)))"
    outcomes = {str(_timed(source, {})[1]) for _ in range(3)}

    assert len(outcomes) == 1


def test_the_workflow_clock_fails_the_task_not_the_step() -> None:
    """The last-resort CPU clock is not the expression's fault in a workflow (replay could differ):
    it raises OutOfTime, which is not an ExpressionError, so no step records it."""
    stopped = replace(WORKFLOW, cpu_seconds=0.0)

    with pytest.raises(OutOfTime):
        evaluate("$count([1..1000].($ * 2))", {}, budget=stopped)
    with pytest.raises(ExpressionError, match="s of CPU"):
        evaluate("$count([1..1000].($ * 2))", {}, budget=replace(API, cpu_seconds=0.0))


def test_ordinary_expressions_are_unchanged() -> None:
    context = {
        "event": {"data": {"plan": "pro", "seats": 12, "items": list(range(5_000))}},
        "steps": {"a": {"output": {"value": "x" * 5_000_000}}},
    }
    assert evaluate("event.data.plan = 'pro' and event.data.seats > 10", context) is True
    assert evaluate("$count(event.data.items)", context) == 5_000
    assert evaluate("$length(steps.a.output.value)", context) == 5_000_000
    assert evaluate("$map(event.data.items[$ < 3], function($v){ $v * 2 })", context) == [0, 2, 4]
