"""Keyed concurrency: at most ``limit`` runs per key at once, the rest ``queued`` in order,
all completed; a queued run can be cancelled; a key that fails to evaluate is the null key."""

import asyncio

import httpx

from tests.flow.flows import hitting, post, publish, statuses, until_ended
from tests.flow.procs import FlowWorker
from tests.flow.sink import Sink, max_overlap


async def test_one_run_per_key_at_a_time_and_all_complete(
    api: httpx.AsyncClient, sink: Sink, flow_worker: FlowWorker
) -> None:
    workflow_id = await publish(
        api, hitting(sink.url, "job/keyed", concurrency={"limit": 1, "key": "event.data.k"})
    )
    async with flow_worker():
        runs = [await post(api, "job/keyed", {"k": k, "n": n}) for n in range(3) for k in ("a", "b")]
        # Posted back to back: four of them must wait, and say so.
        queued = await api.get("/v1/runs", params={"workflow_id": workflow_id, "status": "queued"})
        assert queued.status_code == 200
        assert len(queued.json()["items"]) >= 2, queued.text
        ended = await until_ended(api, workflow_id, 6)
    assert sorted(ended) == sorted(runs)
    assert set(ended.values()) == {"completed"}, ended
    calls = sink.finished()
    assert len(calls) == 6, [c.body for c in calls]
    for key in ("a", "b"):
        mine = [c for c in calls if c.body["k"] == key]
        assert max_overlap(mine) == 1, f"key {key} overlapped"
        # In order: the key's runs reached the sink in the order their events were posted.
        assert [c.body["n"] for c in sorted(mine, key=lambda c: c.arrived)] == [0, 1, 2]
    assert max_overlap(calls) == 2, "the two keys must run side by side"


async def test_a_queued_run_is_cancelled_and_never_starts(
    api: httpx.AsyncClient, sink: Sink, flow_worker: FlowWorker
) -> None:
    workflow_id = await publish(api, hitting(sink.url, "job/one", concurrency={"limit": 1}))
    async with flow_worker():
        runs = [await post(api, "job/one", {"k": "x", "n": n}) for n in range(3)]
        detail = (await api.get(f"/v1/runs/{runs[2]}")).json()
        assert detail["status"] == "queued", detail
        cancelled = await api.post(f"/v1/runs/{runs[2]}/cancel")
        assert cancelled.status_code in (200, 202), cancelled.text
        ended = await until_ended(api, workflow_id, 3)
        await asyncio.sleep(2)  # had it started, it would reach the sink by now
    assert ended == {runs[0]: "completed", runs[1]: "completed", runs[2]: "cancelled"}
    assert sorted(c.body["n"] for c in sink.calls) == [0, 1]
    again = await api.post(f"/v1/runs/{runs[2]}/cancel")
    assert again.status_code == 409


async def test_a_key_that_cannot_be_evaluated_is_the_null_key(
    api: httpx.AsyncClient, sink: Sink, flow_worker: FlowWorker
) -> None:
    # ``$number("x")`` fails on every event: each run counts under the one null key.
    workflow_id = await publish(
        api, hitting(sink.url, "job/nokey", concurrency={"limit": 1, "key": '$number(event.data.k & "x")'})
    )
    sink.delay = 0.5
    async with flow_worker():
        for n in range(3):
            await post(api, "job/nokey", {"k": str(n), "n": n})
        ended = await until_ended(api, workflow_id, 3)
    assert set(ended.values()) == {"completed"}
    assert max_overlap(sink.finished()) == 1
    assert len(await statuses(api, workflow_id)) == 3
