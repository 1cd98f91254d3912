"""Definition limits through the real API: each bad input answers 422 naming the node and the
field (never 500), and a definition over the node limit is refused before any validation.

The limits and their errors are listed in docs/limits.md.
"""

import time
from typing import Any

import httpx
import pytest

from interpreter.compile import MAX_STEPS
from tests.api.flows import SIGNUP

LOG = {"type": "log", "data": {"message": "x"}}

BAD_DURATIONS = [
    "",
    "  ",
    "PT",
    "P0D",
    "0s",
    "99999999999 days",
    "P99999999999D",
    "PT99999999999999999H",
    "123456789012345678901234",
    "123456789012345678901234 s",
    "366 days",
    "P1Y",
    "soon",
]


def _flow(*actions: dict[str, Any], **top: Any) -> dict[str, Any]:
    return {"name": "Limits", "trigger": {"event": SIGNUP}, "actions": list(actions), **top}


def _errors(answer: httpx.Response) -> list[dict[str, Any]]:
    assert answer.status_code == 422, answer.text
    detail: list[dict[str, Any]] = answer.json()["detail"]
    return detail


@pytest.mark.parametrize("value", BAD_DURATIONS)
async def test_a_bad_sleep_duration_is_named(api: httpx.AsyncClient, value: str) -> None:
    answer = await api.post(
        "/v1/workflows", json=_flow({"id": "nap", "type": "sleep", "data": {"duration": value}})
    )

    [error] = _errors(answer)
    assert (error["node"], error["loc"]) == ("nap", "actions[0].data.duration"), error


@pytest.mark.parametrize(
    ("step", "loc"),
    [
        ({"id": "s", **LOG, "timeout": "99999999999 days"}, "actions[0].timeout"),
        ({"id": "s", **LOG, "timeout": "PT"}, "actions[0].timeout"),
        ({"id": "s", **LOG, "heartbeat": "P99999999999D"}, "actions[0].heartbeat"),
        ({"id": "s", **LOG, "retry": {"initial_interval": ""}}, "actions[0].retry.initial_interval"),
        ({"id": "s", **LOG, "retry": {"max_interval": "400 days"}}, "actions[0].retry.max_interval"),
        (
            {"id": "s", "type": "wait_for_event", "data": {"event": "x", "timeout": "P0D"}},
            "actions[0].data.timeout",
        ),
    ],
)
async def test_every_duration_field_is_bounded(
    api: httpx.AsyncClient, step: dict[str, Any], loc: str
) -> None:
    [error] = _errors(await api.post("/v1/workflows", json=_flow(step)))

    assert (error["node"], error["loc"]) == ("s", loc), error


async def test_durations_within_bounds_are_accepted(api: httpx.AsyncClient) -> None:
    answer = await api.post(
        "/v1/workflows",
        json=_flow(
            {"type": "sleep", "data": {"duration": "365 days"}},
            {"type": "sleep", "data": {"duration": "PT0.5S"}},
            {**LOG, "timeout": "2h", "retry": {"initial_interval": "1s", "max_interval": "P7D"}},
        ),
    )
    assert answer.status_code == 201, answer.text


@pytest.mark.parametrize(
    ("expression", "says"),
    [
        ("$sum([1..10000000]) > 5", "has more than 100,000 items"),
        ("$match(event.data.s, /(a)\\1/)", "not supported"),
        ("$eval('1') = 1", "not available"),
        (" + ".join(["1"] * 2_000), "longer than 4,000 characters"),
    ],
)
async def test_an_expression_refused_before_it_runs_names_node_and_field(
    api: httpx.AsyncClient, expression: str, says: str
) -> None:
    branch = {"id": "pick", "type": "branch", "data": {"if": expression, "then": [LOG], "else": []}}

    [error] = _errors(await api.post("/v1/workflows", json=_flow(branch)))

    assert (error["node"], error["loc"]) == ("pick", "actions[0].data.if"), error
    assert says in error["message"]


async def test_a_trigger_condition_is_held_to_the_intake_budget(api: httpx.AsyncClient) -> None:
    flow = _flow(LOG, trigger={"event": SIGNUP, "if": "$count([1..50000]) > 0"})

    [error] = _errors(await api.post("/v1/workflows", json=flow))

    assert error["loc"] == "trigger.if" and "more than 20,000 items" in error["message"], error


async def test_a_definition_over_the_step_limit_is_refused_at_once(api: httpx.AsyncClient) -> None:
    nodes = [{"id": f"n{i}", **LOG} for i in range(20_000)]
    edges = [{"source": "$trigger", "target": "n0"}] + [
        {"source": f"n{i}", "target": f"n{i + 1}"} for i in range(19_999)
    ]
    started = time.perf_counter()
    answer = await api.post(
        "/v1/workflows", json={"name": "Huge", "trigger": {"event": SIGNUP}, "nodes": nodes, "edges": edges}
    )
    took = time.perf_counter() - started

    [error] = _errors(answer)
    assert error["loc"] == "nodes" and f"at most {MAX_STEPS:,}" in error["message"], error
    print(f"\n20,000-node graph refused in {took:.2f} s")  # noqa: T201
    assert took < 10, "refused by a count, before any validation (generous: a loaded machine)"


async def test_nested_steps_count_toward_the_limit(api: httpx.AsyncClient) -> None:
    branch = {"type": "branch", "data": {"if": "true", "then": [LOG] * (MAX_STEPS + 1), "else": []}}

    [error] = _errors(await api.post("/v1/workflows", json=_flow(branch)))

    assert error["loc"] == "actions" and "nested ones included" in error["message"], error


async def test_a_graph_at_the_step_limit_is_validated(api: httpx.AsyncClient) -> None:
    count = MAX_STEPS
    nodes = [
        {
            "id": f"n{i}",
            "type": "log",
            "if": f"event.data.n > {i}",
            "data": {"message": f"{{{{ event.data.v[{i}] }}}}"},
        }
        for i in range(count)
    ]
    edges = [{"source": "$trigger", "target": "n0"}] + [
        {"source": f"n{(i - 1) // 2}", "target": f"n{i}"} for i in range(1, count)
    ]
    started = time.perf_counter()
    answer = await api.post(
        "/v1/workflows", json={"name": "Wide", "trigger": {"event": SIGNUP}, "nodes": nodes, "edges": edges}
    )
    took = time.perf_counter() - started

    assert answer.status_code == 201, answer.text[:500]
    print(f"\n{count:,}-node graph, {2 * count:,} distinct expressions: saved in {took:.2f} s")  # noqa: T201
    assert took < 30  # generous: the figure is what matters (bench-like), not a tight bound
