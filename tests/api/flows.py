"""Definitions and small helpers the API tests share."""

import asyncio
from typing import Any

import httpx

SIGNUP = "user/signed_up"

GREETER: dict[str, Any] = {
    "name": "Greeter",
    "trigger": {"event": SIGNUP},
    "actions": [
        {"type": "filter", "data": {"field": "plan", "value": "pro"}},
        {"id": "greet", "type": "log", "data": {"message": "welcome {{ event.data.name }}"}},
    ],
}

MANUAL: dict[str, Any] = {
    "name": "Manual",
    "actions": [
        {"type": "filter", "data": {"if": "input.go = true"}},
        {"id": "say", "type": "log", "data": {"message": "hello {{ input.who }}"}},
    ],
}


def greeter(**changes: Any) -> dict[str, Any]:
    return {**GREETER, **changes}


async def published(api: httpx.AsyncClient, definition: dict[str, Any]) -> str:
    """Create, freeze and publish ``definition``; returns the workflow id."""
    created = await api.post("/v1/workflows", json=definition)
    assert created.status_code == 201, created.text
    workflow_id = created.json()["id"]
    version = await api.post(f"/v1/workflows/{workflow_id}/versions")
    assert version.status_code == 201, version.text
    live = await api.post(f"/v1/workflows/{workflow_id}/publish", json={"version": version.json()["version"]})
    assert live.status_code == 200, live.text
    return workflow_id


async def finished(api: httpx.AsyncClient, run_id: str, *, seconds: float = 30) -> dict[str, Any]:
    """Poll ``GET /v1/runs/{id}`` until the run has ended."""
    async with asyncio.timeout(seconds):
        while True:
            run = (await api.get(f"/v1/runs/{run_id}")).json()
            if run["status"] not in ("pending", "running"):
                return run
            await asyncio.sleep(0.2)
