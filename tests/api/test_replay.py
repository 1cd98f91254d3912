"""Replaying an event runs the workflows it triggered again, on their live versions now."""

from typing import Any

import httpx
from sqlalchemy import Engine
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Worker

from interpreter.contract import RELAY_EVENT_ID, RELAY_VERSION
from relay.storage.tables import Account
from tests.api.flows import SIGNUP, greeter
from tests.support.api_calls import finished, publish

BROKEN = greeter(name="Fragile", actions=[{"id": "boom", "type": "fail", "data": {"message": "broken"}}])
FIXED = greeter(
    name="Fragile", actions=[{"id": "greet", "type": "log", "data": {"message": "hi {{ event.data.name }}"}}]
)


async def test_replay_runs_the_fixed_live_version_with_the_original_event(
    api: httpx.AsyncClient, acme: tuple[Account, str], dev_env: WorkflowEnvironment, worker: Worker
) -> None:
    workflow_id = await publish(api, BROKEN)
    posted = (
        await api.post("/v1/events", json={"name": SIGNUP, "data": {"name": "Ada"}, "id": "s-1"})
    ).json()
    [original] = posted["runs"]
    assert (await finished(api, original))["status"] == "failed"
    await api.put(f"/v1/workflows/{workflow_id}", json=FIXED)
    await api.post(f"/v1/workflows/{workflow_id}/versions")
    await api.post(f"/v1/workflows/{workflow_id}/publish", json={"version": 2})

    answer = await api.post("/v1/events/s-1/replay")

    assert answer.status_code == 202, answer.text
    body = answer.json()
    assert (body["event_id"], body["replay"], len(body["runs"])) == (posted["event_id"], 1, 1)
    run = await finished(api, body["runs"][0])
    assert (run["status"], run["version"], run["output"]) == ("completed", 2, {"message": "hi Ada"})
    account, _key = acme
    wf_id = f"relay-{account.id}-{workflow_id}-evt-{posted['event_id']}-replay-1"
    assert run["temporal_workflow_id"] == wf_id
    attributes = (await dev_env.client.get_workflow_handle(wf_id).describe()).typed_search_attributes
    assert (attributes.get(RELAY_EVENT_ID), attributes.get(RELAY_VERSION)) == (posted["event_id"], 2)
    assert (await finished(api, original))["status"] == "failed"  # the original is untouched

    again = (await api.post(f"/v1/events/{posted['event_id']}/replay")).json()

    assert again["replay"] == 2 and again["runs"] != body["runs"]
    event = (await api.get("/v1/events/s-1")).json()
    assert event["runs"] == [original]
    assert event["replays"] == body["runs"] + again["runs"]
    by_event = (await api.get("/v1/runs", params={"event_id": "s-1"})).json()["items"]
    assert [r["run_id"] for r in by_event] == [original]


async def test_only_the_workflows_it_triggered_and_not_archived_ones(
    api: httpx.AsyncClient, db: Engine
) -> None:
    kept = await publish(api, greeter(name="Kept", actions=[{"type": "log", "data": {"message": "x"}}]))
    gone = await publish(api, greeter(name="Gone", actions=[{"type": "log", "data": {"message": "x"}}]))
    posted = (await api.post("/v1/events", json={"name": SIGNUP, "data": {}})).json()
    await publish(api, greeter(name="Later", actions=[{"type": "log", "data": {"message": "x"}}]))
    await api.delete(f"/v1/workflows/{gone}")

    body = (await api.post(f"/v1/events/{posted['event_id']}/replay")).json()

    replays = [r for r in (await api.get("/v1/runs")).json()["items"] if r["run_id"] in body["runs"]]
    assert [r["workflow_id"] for r in replays] == [kept]


async def test_nothing_to_replay_and_another_accounts_event(
    api: httpx.AsyncClient, other_api: httpx.AsyncClient
) -> None:
    lonely: dict[str, Any] = (
        await api.post("/v1/events", json={"name": "nobody/listens", "data": {}})
    ).json()

    assert (await api.post(f"/v1/events/{lonely['event_id']}/replay")).status_code == 409
    assert (await other_api.post(f"/v1/events/{lonely['event_id']}/replay")).status_code == 404
