"""Throttle (at most ``limit`` starts per ``period``) and debounce (one run per burst, seeing its
newest event; ``max_wait`` bounds a burst that never ends)."""

import asyncio
import time

import httpx
from temporalio.testing import WorkflowEnvironment

from tests.flow.flows import hitting, post, publish, until_ended
from tests.flow.procs import FlowWorker
from tests.flow.sink import Sink, windows


async def test_throttle_two_per_four_seconds(
    dev_env: WorkflowEnvironment, api: httpx.AsyncClient, sink: Sink, flow_worker: FlowWorker
) -> None:
    sink.delay = 0
    workflow_id = await publish(
        api, hitting(sink.url, "job/throttled", throttle={"limit": 2, "period": "4s"})
    )
    async with flow_worker():
        runs = [await post(api, "job/throttled", {"k": "x", "n": n}) for n in range(6)]
        ended = await until_ended(api, workflow_id, 6, seconds=120)
    assert set(ended.values()) == {"completed"}
    # A run's start is its Temporal execution's start time, as the server recorded it.
    starts = []
    for run_id in runs:
        detail = (await api.get(f"/v1/runs/{run_id}")).json()
        described = await dev_env.client.get_workflow_handle(detail["temporal_workflow_id"]).describe()
        starts.append(described.start_time.timestamp())
    assert max(windows(starts, 4.0)) <= 2, sorted(s - min(starts) for s in starts)
    # Three windows' worth: the last pair cannot start before 8 s after the first.
    assert max(starts) - min(starts) >= 8.0
    order = [c.body["n"] for c in sorted(sink.finished(), key=lambda c: c.arrived)]
    assert len(order) == 6
    assert sorted(order[:2]) == [0, 1] and sorted(order[2:4]) == [2, 3], order


async def test_debounce_runs_once_per_burst_with_the_newest_event(
    api: httpx.AsyncClient, sink: Sink, flow_worker: FlowWorker
) -> None:
    sink.delay = 0
    workflow_id = await publish(
        api, hitting(sink.url, "doc/edited", debounce={"period": "3s", "key": "event.data.k"})
    )
    async with flow_worker():
        burst = []
        for n in range(4):
            burst.append(await post(api, "doc/edited", {"k": "a", "n": n}))
            await asyncio.sleep(0.4)
        other = await post(api, "doc/edited", {"k": "b", "n": 9})
        ended = await until_ended(api, workflow_id, 5, seconds=60)
        await asyncio.sleep(1)
    assert ended[burst[-1]] == "completed" and ended[other] == "completed", ended
    assert [ended[r] for r in burst[:-1]] == ["cancelled"] * 3
    superseded = (await api.get(f"/v1/runs/{burst[0]}")).json()
    assert "debounced" in (superseded.get("error") or ""), superseded
    bodies = sorted((c.body["k"], c.body["n"]) for c in sink.calls)
    assert bodies == [("a", 3), ("b", 9)], bodies


async def test_debounce_max_wait_bounds_a_burst_that_never_ends(
    api: httpx.AsyncClient, sink: Sink, flow_worker: FlowWorker
) -> None:
    sink.delay = 0
    await publish(
        api,
        hitting(sink.url, "doc/typing", debounce={"period": "2s", "key": "event.data.k", "max_wait": "4s"}),
    )
    async with flow_worker():
        began = time.monotonic()
        n = 0
        # An event every 0.5 s for 9 s: never 2 s of quiet.
        while time.monotonic() - began < 9:
            await post(api, "doc/typing", {"k": "z", "n": n})
            n += 1
            await asyncio.sleep(0.5)
        first = [c for c in sink.calls]
    assert first, "max_wait did not bound the burst: nothing ran while it went on"
    assert first[0].arrived - began < 4 + 3, first[0].arrived - began
    assert first[0].body["n"] < n - 1  # it ran before the burst ended, with the newest event then
