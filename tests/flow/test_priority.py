"""Priority: with the worker saturated, priority-1 runs go before priority-5 runs posted earlier."""

import httpx
from sqlalchemy import Engine
from temporalio.testing import WorkflowEnvironment

from relay.core.settings import Settings
from tests.flow.flows import hitting, post, publish, until_ended
from tests.flow.sink import Sink
from worker.build import build_worker


async def test_priority_one_runs_before_priority_five_posted_earlier(
    dev_env: WorkflowEnvironment, flow_settings: Settings, engine: Engine, api: httpx.AsyncClient, sink: Sink
) -> None:
    sink.delay = 0.3
    workflow_id = await publish(api, hitting(sink.url, "job/prio", priority="event.data.p"))
    # No worker yet: the runs' tasks back up in the queue, the low-priority ones first.
    low = [await post(api, "job/prio", {"k": "low", "n": n, "p": 5}) for n in range(4)]
    high = [await post(api, "job/prio", {"k": "high", "n": n, "p": 1}) for n in range(4)]
    async with httpx.AsyncClient() as http:
        # One activity slot: the worker is saturated by a single step.
        async with build_worker(
            dev_env.client, settings=flow_settings, engine=engine, http=http, max_concurrent_activities=1
        ):
            ended = await until_ended(api, workflow_id, 8, seconds=120)
    assert sorted(ended) == sorted(low + high) and set(ended.values()) == {"completed"}
    order = [c.body["k"] for c in sorted(sink.finished(), key=lambda c: c.arrived)]
    assert order[:4].count("high") >= 3, order
    assert order[0] == "high", order
