"""Property: on random valid graphs every reachable node runs exactly once, never before its parents."""

import asyncio
import json
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from interpreter.contract import RECORD_RUN_ACTIVITY
from tests.interpreter.conftest import Finished, Runner, run_histories

GRAPHS = 25


@st.composite
def dags(draw: st.DrawFn) -> dict[str, Any]:
    """Nodes n0..nk; each later node gets 1-3 parents among earlier ones, some edges closed."""
    count = draw(st.integers(2, 9))
    edges = []
    for target in range(1, count):
        parents = draw(st.sets(st.integers(0, target - 1), min_size=1, max_size=min(3, target)))
        for source in sorted(parents):
            closed = draw(st.booleans()) and draw(st.booleans())  # about one edge in four
            edge = {"source": f"n{source}", "target": f"n{target}"}
            if closed:
                edge["if"] = "false"
            edges.append(edge)
    nodes = [{"id": f"n{i}", "type": "test_echo", "data": {"value": f"n{i}", "delay_ms": draw(st.integers(0, 30))}}
             for i in range(count)]  # fmt: skip
    return {"name": "random", "nodes": nodes, "edges": edges}


def sample(count: int) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []

    @settings(max_examples=count, database=None, suppress_health_check=list(HealthCheck))
    @given(dags())
    def collect(graph: dict[str, Any]) -> None:
        found.append(graph)

    collect()
    return found


def expected_to_run(graph: dict[str, Any]) -> set[str]:
    """A node runs when some incoming edge is open and its source ran (the entry always runs)."""
    ran = {"n0"}
    for node in graph["nodes"][1:]:
        incoming = [e for e in graph["edges"] if e["target"] == node["id"]]
        if any(e["source"] in ran and "if" not in e for e in incoming):
            ran.add(node["id"])
    return ran


async def scheduled_steps(done: Finished) -> list[str]:
    """Step ids of every action the workflow scheduled, read from its history (retries of
    one scheduled activity are the same schedule, so this counts what the interpreter did).
    The run's own recordings of its start and end are not steps."""
    return [
        json.loads(e.activity_task_scheduled_event_attributes.input.payloads[0].data)["step_id"]
        for history in await run_histories(done.handle)
        for e in history.events
        if e.HasField("activity_task_scheduled_event_attributes")
        and e.activity_task_scheduled_event_attributes.activity_type.name != RECORD_RUN_ACTIVITY
    ]


async def test_random_graphs_run_each_reachable_node_once_after_its_parents(run_flow_dev: Runner) -> None:
    graphs = sample(GRAPHS)
    results = await asyncio.gather(*(run_flow_dev(g) for g in graphs))
    for graph, done in zip(graphs, results, strict=True):
        ran = await scheduled_steps(done)
        assert sorted(ran) == sorted(expected_to_run(graph)), (graph["edges"], ran)
        views = {s.id: s for s in done.progress.steps}
        for edge in graph["edges"]:
            source, target = views[edge["source"]], views[edge["target"]]
            if target.status == "completed":
                assert source.ended_at <= target.started_at, f"{edge} ran out of order"
