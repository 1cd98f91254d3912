"""Definitions and API steps shared by the flow-control tests."""

import asyncio
from typing import Any

import httpx

from tests.support.api_calls import publish


def hitting(url: str, name: str, **flow: Any) -> dict[str, Any]:
    """A workflow on event ``name`` whose one step posts its event to the sink at ``url``."""
    return {
        "name": f"Flow {name}",
        "trigger": {"event": name},
        "actions": [
            {
                "id": "hit",
                "type": "http_request",
                "data": {
                    "method": "POST",
                    "url": url,
                    "json": {"k": "{{ event.data.k }}", "n": "{{ event.data.n }}", "run": "{{ run.id }}"},
                },
                "timeout": "30s",
            }
        ],
        **flow,
    }


async def post(api: httpx.AsyncClient, name: str, data: dict[str, Any]) -> str:
    """Post an event that starts exactly one run; its run id."""
    answer = await api.post("/v1/events", json={"name": name, "data": data})
    assert answer.status_code == 202, answer.text
    runs = answer.json()["runs"]
    assert len(runs) == 1, answer.text
    return str(runs[0])


async def statuses(api: httpx.AsyncClient, workflow_id: str) -> dict[str, str]:
    page = await api.get("/v1/runs", params={"workflow_id": workflow_id, "limit": 200})
    assert page.status_code == 200, page.text
    return {run["run_id"]: run["status"] for run in page.json()["items"]}


async def until_ended(
    api: httpx.AsyncClient, workflow_id: str, count: int, *, seconds: float = 90
) -> dict[str, str]:
    """Wait until ``count`` runs of the workflow have ended; their statuses."""
    async with asyncio.timeout(seconds):
        while True:
            now = await statuses(api, workflow_id)
            ended = {k: v for k, v in now.items() if v not in ("pending", "queued", "running")}
            if len(ended) >= count:
                return now
            await asyncio.sleep(0.3)


__all__ = ["hitting", "post", "publish", "statuses", "until_ended"]
