"""Test runs (SPEC §9): ``POST /v1/workflows/{id}/test`` of a 10- and a 50-node graph, from the
HTTP request to the answer (uvicorn on loopback, the draft read and compiled, every action
mocked), p50 of the rounds. Target: under a second for 50 nodes. The baseline is the same
test run in the benchmark process without HTTP or database (``interpreter.dry_run``), which
says how much of the answer is the interpreter itself.
"""

import time
from typing import Any

import httpx

from activities.registry import load_actions
from bench.report import Results, Row
from bench.sizes import Sizes
from bench.stack import Stack
from bench.stats import alternate, median, paired_ratio, summary
from interpreter.compile import compile_definition
from interpreter.contract import EventPayload
from interpreter.definition import CompiledDefinition
from interpreter.dry_run import DryRunRequest, Mock, run_dry

TARGET_SECONDS = 1.0
NODES = (10, 50)


def _node(i: int) -> dict[str, Any]:
    """Node ``i``: an action, a variable, a branch with a sub-list each way, a sleep, a log."""
    at = f"n{i}"
    kind = i % 5
    if kind == 0:
        url = "https://crm.test/{{ event.data.id }}"
        return {"id": at, "type": "http_request", "data": {"method": "POST", "url": url, "json": {"i": i}}}
    if kind == 1:
        return {"id": at, "type": "set", "data": {f"v{i}": f"{{{{ steps.n{i - 1}.output.body.score }}}}"}}
    if kind == 2:
        hot = {"id": f"{at}_hot", "type": "log", "data": {"message": "hot {{ event.data.id }}"}}
        cold = {"id": f"{at}_cold", "type": "log", "data": {"message": "cold"}}
        return {
            "id": at,
            "type": "branch",
            "data": {"if": f"vars.v{i - 1} > 10", "then": [hot], "else": [cold]},
        }
    if kind == 3:
        return {"id": at, "type": "sleep", "data": {"duration": "1 day"}}
    return {"id": at, "type": "log", "data": {"message": f"step {i} of {{{{ run.id }}}}"}}


def graph(nodes: int) -> tuple[dict[str, Any], dict[str, Any]]:
    """A graph of ``nodes`` nodes (a conditional edge now and then), and mocks for its actions."""
    made = [_node(i) for i in range(nodes)]
    mocks = {
        n["id"]: {"output": {"status": 200, "body": {"score": i}}} for i, n in enumerate(made) if i % 5 == 0
    }
    edges = [
        {"source": f"n{i}", "target": f"n{i + 1}", **({"if": "true"} if i % 7 == 6 else {})}
        for i in range(nodes - 1)
    ]
    document = {
        "name": f"Test run {nodes}",
        "trigger": {"event": "bench/test"},
        "nodes": made,
        "edges": edges,
    }
    return document, mocks


async def measure(stack: Stack, results: Results, sizes: Sizes) -> None:
    account_id, key = stack.account(f"Test runs {stack.server}")
    async with stack.http(key) as http:
        for nodes in NODES:
            await _measure(http, account_id, nodes, results, stack, rounds=max(3, sizes.latency_rounds))


async def _measure(
    http: httpx.AsyncClient, account_id: str, nodes: int, results: Results, stack: Stack, *, rounds: int
) -> None:
    document, mocks = graph(nodes)
    created = await http.post("/v1/workflows", json=document)
    if created.status_code != 201:
        raise RuntimeError(f"POST /v1/workflows: {created.status_code} {created.text}")
    path = f"/v1/workflows/{created.json()['id']}/test"
    body = {"event": {"name": "bench/test", "data": {"id": 7}}, "mocks": mocks}
    compiled = compile_definition(document, load_actions([])).definition
    request = DryRunRequest(
        account_id=account_id,
        workflow_id="bench",
        definition=CompiledDefinition.model_validate(compiled),
        event=EventPayload(id="bench", name="bench/test", data={"id": 7}),
        mocks={k: Mock.model_validate(v) for k, v in mocks.items()},
    )

    async def over_http() -> float:
        began = time.perf_counter()
        answer = await http.post(path, json=body)
        elapsed = time.perf_counter() - began
        if answer.status_code != 200 or answer.json()["status"] != "completed":
            raise RuntimeError(f"POST {path}: {answer.status_code} {answer.text[:500]}")
        return elapsed

    async def in_process() -> float:
        began = time.perf_counter()
        await run_dry(request)
        return time.perf_counter() - began

    relay, base = await alternate(over_http, in_process, rounds=rounds, warmup=1)
    p50 = median(relay)
    results.add(Row(
        id=f"test_runs.nodes_{nodes}", server=stack.server, unit="ms",
        figure=f"POST /v1/workflows/{{id}}/test of {nodes} nodes, request to answer, p50"
               " (baseline: the same test run in process, no HTTP or database)",
        relay=round(p50 * 1000, 2), baseline=round(median(base) * 1000, 2),
        ratio=paired_ratio(relay, base), target=f"p50 < {TARGET_SECONDS * 1000:.0f} ms",
        met=p50 < TARGET_SECONDS,
        details={"relay_s": summary(relay), "baseline_s": summary(base), "nodes": nodes},
    ))  # fmt: skip
