"""What a client of Relay's HTTP API does in the tests: publish a definition, post an event,
wait for a run to end."""

import asyncio
import contextlib
import random
from typing import Any

import httpx
from sqlalchemy import Engine
from temporalio.testing import WorkflowEnvironment

from relay.core.temporal import with_relay_converter


async def publish(api: httpx.AsyncClient, definition: dict[str, Any]) -> str:
    """Create, freeze and publish ``definition``; returns the workflow id."""
    created = await api.post("/v1/workflows", json=definition)
    assert created.status_code == 201, created.text
    workflow_id = created.json()["id"]
    version = await api.post(f"/v1/workflows/{workflow_id}/versions")
    assert version.status_code == 201, version.text
    live = await api.post(f"/v1/workflows/{workflow_id}/publish", json={"version": version.json()["version"]})
    assert live.status_code == 200, live.text
    return workflow_id


async def post_event(
    api: httpx.AsyncClient, name: str, data: dict[str, Any], *, jitter: float = 0
) -> dict[str, Any]:
    """``POST /v1/events`` (after up to ``jitter`` seconds), which must be accepted; returns the answer."""
    await asyncio.sleep(random.uniform(0, jitter))
    answer = await api.post("/v1/events", json={"name": name, "data": data})
    assert answer.status_code == 202, answer.text
    return answer.json()


async def finished(api: httpx.AsyncClient, run_id: str, *, seconds: float = 30) -> dict[str, Any]:
    """Poll ``GET /v1/runs/{id}`` until the run has ended."""
    async with asyncio.timeout(seconds):
        while True:
            run = (await api.get(f"/v1/runs/{run_id}")).json()
            if run["status"] not in ("pending", "running"):
                return run
            await asyncio.sleep(0.2)


async def run_to_end(
    api: httpx.AsyncClient, env: WorkflowEnvironment, engine: Engine, run_id: str
) -> dict[str, Any]:
    """On the time-skipping server: await the run in Temporal with time skipping unlocked (its
    timers fire in skipped time), then read it through the API."""
    detail = (await api.get(f"/v1/runs/{run_id}")).json()
    handle = with_relay_converter(env.client, engine).get_workflow_handle(detail["temporal_workflow_id"])
    # A failed run raises here; the API answer below says how it ended.
    async with env.time_skipping_unlocked():
        with contextlib.suppress(Exception):
            await handle.result()
    return (await api.get(f"/v1/runs/{run_id}")).json()
