"""The definitions the benchmark runs, and how it starts them: compiled and started directly
(interpreter figures) or published through the HTTP API (trigger and matching figures)."""

import uuid
from functools import cache
from typing import Any

import httpx
from temporalio.client import Client, WorkflowHandle

from activities.registry import ActionRegistry, load_actions
from bench.noop_actions import NOOP
from bench.stack import ACTION_MODULES
from interpreter.compile import compile_definition
from interpreter.contract import WORKFLOW_NAME, EventPayload, RunInput, RunResult

PING = "bench/ping"
ORDER_CREATED = "bench/order.created"
ORDER_APPROVED = "bench/order.approved"


def chain(steps: int, *, name: str = "Chain", trigger: str | None = None) -> dict[str, Any]:
    """``steps`` no-op actions one after another."""
    doc: dict[str, Any] = {"name": name, "actions": [{"type": NOOP} for _ in range(steps)]}
    if trigger:
        doc["trigger"] = {"event": trigger}
    return doc


def triggered(event: str, *, name: str = "Triggered") -> dict[str, Any]:
    """Started by ``event``; ends at once as filtered (unless ``data.go``), so the worker's
    share of the cost stays small while starts are measured."""
    return {
        "name": name,
        "trigger": {"event": event},
        "actions": [{"type": "filter", "data": {"field": "go", "value": True}}, {"type": NOOP}],
    }


def waiting(*, name: str = "Awaiting approval") -> dict[str, Any]:
    """Waits for its order's approval (matched on ``data.key``), then does one action."""
    return {
        "name": name,
        "trigger": {"event": ORDER_CREATED},
        "actions": [
            {
                "type": "wait_for_event",
                "data": {"event": ORDER_APPROVED, "match": "data.key", "timeout": "2h"},
            },
            {"type": NOOP},
        ],
    }


def sleeping() -> dict[str, Any]:
    return {"name": "Sleeper", "actions": [{"type": "sleep", "data": {"duration": "1h"}}]}


@cache
def actions() -> ActionRegistry:
    return load_actions([ACTION_MODULES])


def compiled(document: dict[str, Any]) -> dict[str, Any]:
    return compile_definition(document, actions()).definition


def run_input(
    definition: dict[str, Any],
    *,
    account_id: str = "bench",
    workflow_id: str = "bench",
    input: dict[str, Any] | None = None,  # RunInput's name for it
    event: EventPayload | None = None,
) -> RunInput:
    return RunInput(
        run_id=f"run-{uuid.uuid4().hex[:12]}",
        account_id=account_id,
        workflow_id=workflow_id,
        version=1,
        definition=definition,
        event=event,
        input=input or {},
    )


async def start_relay(
    client: Client, task_queue: str, definition: dict[str, Any], **kwargs: Any
) -> WorkflowHandle[Any, RunResult]:
    """Start ``RelayRun`` directly, as the interpreter tests do (no API, no database row)."""
    run = run_input(definition, **kwargs)
    return await client.start_workflow(
        WORKFLOW_NAME, run, id=f"bench-relay-{run.run_id}", task_queue=task_queue, result_type=RunResult
    )


async def publish(http: httpx.AsyncClient, document: dict[str, Any]) -> str:
    """Create, freeze and publish ``document`` through the API; returns the workflow id."""
    created = await http.post("/v1/workflows", json=document)
    created.raise_for_status()
    workflow_id: str = created.json()["id"]
    version = await http.post(f"/v1/workflows/{workflow_id}/versions")
    version.raise_for_status()
    live = await http.post(
        f"/v1/workflows/{workflow_id}/publish", json={"version": version.json()["version"]}
    )
    live.raise_for_status()
    return workflow_id
