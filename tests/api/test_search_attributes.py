"""An operator finds a run from what a customer quotes (SPEC §6): the Temporal CLI's
``workflow count/list --query`` against the dev server, by RelayRun, RelayEvent (the event's
name), RelayEventId and RelayStatus, which the run upserts as it ends (``filtered`` included,
a run Temporal calls COMPLETED)."""

import asyncio
import json
import sys
from pathlib import Path
from typing import Any

import httpx
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Worker

from relay.storage.tables import Account
from tests.support.api_calls import finished, publish
from tests.support.servers import HttpServer, Reply

TEMPORAL = str(Path(sys.executable).parent / "temporal")
LEAD = "crm/lead_status.changed"


async def temporal_cli(env: WorkflowEnvironment, *args: str) -> Any:
    """``temporal <args> -o json`` against the test's dev server; its parsed output."""
    process = await asyncio.create_subprocess_exec(
        TEMPORAL, *args, "--address", env.client.service_client.config.target_host,
        "--namespace", env.client.namespace, "-o", "json",
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    out, err = await process.communicate()
    assert process.returncode == 0, err.decode()
    return json.loads(out) if out.strip() else None


async def count(env: WorkflowEnvironment, query: str, expected: int) -> int:
    """``temporal workflow count --query``, polled while visibility catches up with ``expected``."""
    got = -1
    async with asyncio.timeout(30):
        while got != expected:
            # JSON leaves a zero count out.
            got = int((await temporal_cli(env, "workflow", "count", "--query", query)).get("count", 0))
            if got != expected:
                await asyncio.sleep(0.5)
    return got


async def listed(env: WorkflowEnvironment, query: str) -> set[str]:
    rows = await temporal_cli(env, "workflow", "list", "--query", query)
    return {row["execution"]["workflowId"] for row in rows or []}


async def test_runs_are_found_by_run_id_event_name_event_id_and_status(
    api: httpx.AsyncClient,
    acme: tuple[Account, str],
    dev_env: WorkflowEnvironment,
    worker: Worker,
    http_server: HttpServer,
) -> None:
    account, _key = acme
    mine = f'RelayAccount="{account.id}"'
    http_server.responder = lambda _req: Reply(400, {"error": "bad lead"})
    await publish(api, {"name": "Proposal", "trigger": {"event": LEAD}, "actions": [
        {"type": "filter", "data": {"field": "status", "value": "proposal_created"}},
        {"id": "note", "type": "log", "data": {"message": "proposal for {{ event.data.lead }}"}},
    ]})  # fmt: skip
    await publish(api, {"name": "Sync", "trigger": {"event": LEAD}, "actions": [
        {"type": "filter", "data": {"field": "status", "value": "won"}},
        {"id": "push", "type": "http_request", "data": {"method": "POST", "url": f"{http_server.url}/crm"}},
    ]})  # fmt: skip

    proposal = (
        await api.post("/v1/events", json={"name": LEAD, "data": {"status": "proposal_created"}})
    ).json()
    won = (await api.post("/v1/events", json={"name": LEAD, "data": {"status": "won"}})).json()
    runs = {r: await finished(api, r) for r in proposal["runs"] + won["runs"]}
    by_status = {run["status"]: run for run in runs.values()}
    # Each event ran both workflows: one completed or failed, the other filtered out.
    assert sorted(run["status"] for run in runs.values()) == ["completed", "failed", "filtered", "filtered"]

    completed = by_status["completed"]
    assert await count(dev_env, f'RelayRun="{completed["run_id"]}"', 1) == 1
    assert await listed(dev_env, f'RelayRun="{completed["run_id"]}"') == {completed["temporal_workflow_id"]}
    assert await count(dev_env, f'RelayEvent="{LEAD}" AND {mine}', 4) == 4
    assert await count(dev_env, f'RelayEventId="{won["event_id"]}"', 2) == 2
    filtered = {run["temporal_workflow_id"] for run in runs.values() if run["status"] == "filtered"}
    assert await count(dev_env, f'RelayStatus="filtered" AND {mine}', 2) == 2
    assert await listed(dev_env, f'RelayStatus="filtered" AND {mine}') == filtered
    assert await count(dev_env, f'RelayStatus="failed" AND {mine}', 1) == 1
    assert await listed(dev_env, f'RelayStatus="failed" AND {mine}') == {
        by_status["failed"]["temporal_workflow_id"]
    }
    assert await count(dev_env, f'RelayStatus="running" AND {mine}', 0) == 0


async def test_a_run_is_running_until_it_ends_and_cancelled_after(
    api: httpx.AsyncClient, acme: tuple[Account, str], dev_env: WorkflowEnvironment, worker: Worker
) -> None:
    workflow_id = await publish(
        api, {"name": "Nap", "actions": [{"id": "nap", "type": "sleep", "data": {"duration": "1h"}}]}
    )
    run_id = (await api.post(f"/v1/workflows/{workflow_id}/runs")).json()["run_id"]

    assert await count(dev_env, f'RelayRun="{run_id}" AND RelayStatus="running"', 1) == 1
    await api.post(f"/v1/runs/{run_id}/cancel")
    assert (await finished(api, run_id))["status"] == "cancelled"
    assert await count(dev_env, f'RelayRun="{run_id}" AND RelayStatus="cancelled"', 1) == 1


async def test_every_activity_and_timer_says_its_step_in_short(
    api: httpx.AsyncClient, dev_env: WorkflowEnvironment, worker: Worker
) -> None:
    workflow_id = await publish(api, {"name": "Summaries", "actions": [
        {"id": "hello", "type": "log", "data": {"message": "hi"}},
        {"id": "each", "type": "foreach", "data": {"items": "input.n", "do": [
            {"id": "greet", "type": "log", "data": {"message": "item {{ item }}"}}]}},
        {"id": "nap", "type": "sleep", "data": {"duration": "1s"}},
    ]})  # fmt: skip
    started = await api.post(f"/v1/workflows/{workflow_id}/runs", json={"input": {"n": [1, 2]}})
    run_id = started.json()["run_id"]
    run = await finished(api, run_id)
    assert run["status"] == "completed", run["error"]

    history = await dev_env.client.get_workflow_handle(run["temporal_workflow_id"]).fetch_history()
    converter = dev_env.client.data_converter.payload_converter
    activities, timers = {}, []
    for event in history.events:
        summary = (
            converter.from_payload(event.user_metadata.summary)
            if event.user_metadata.HasField("summary")
            else None
        )
        if event.HasField("activity_task_scheduled_event_attributes"):
            activities[event.activity_task_scheduled_event_attributes.activity_id] = summary
        if event.HasField("timer_started_event_attributes"):
            timers.append(summary)
    actions = {k: v for k, v in activities.items() if "#" in k}
    assert sorted(actions.values()) == ["greet · log · item 0", "greet · log · item 1", "hello · log"]
    assert {k.split("#")[0] for k in actions} == {"hello", "each[0].greet", "each[1].greet"}
    assert timers == ["nap · sleep"]
    assert all(run["temporal_workflow_id"] not in (s or "") for s in [*activities.values(), *timers])
