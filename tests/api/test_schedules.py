"""Cron schedules are Temporal Schedules: they fire real runs of the live version, follow
publishing, pause, resume and go away; bad specs name the field."""

import asyncio
import time
from typing import Any

import httpx
import pytest
from temporalio.service import RPCError, RPCStatusCode
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Worker

from interpreter.contract import RELAY_ACCOUNT, RELAY_RUN, RELAY_STATUS, RELAY_VERSION, RELAY_WORKFLOW
from relay.storage.tables import Account
from tests.api.flows import MANUAL
from tests.support.api_calls import finished, publish

# 1 January only: nothing fires by itself during a test; fires are triggered by hand.
YEARLY = "0 0 1 1 *"


def said(message: str) -> dict[str, Any]:
    return {**MANUAL, "actions": [{"id": "say", "type": "log", "data": {"message": message}}]}


async def schedule(api: httpx.AsyncClient, workflow_id: str, **body: Any) -> dict[str, Any]:
    created = await api.post(f"/v1/workflows/{workflow_id}/schedules", json={"cron": YEARLY, **body})
    assert created.status_code == 201, created.text
    return created.json()


async def fire(env: WorkflowEnvironment, api: httpx.AsyncClient, sched: dict[str, Any]) -> dict[str, Any]:
    """Fire the schedule now and wait, through ``GET /v1/runs``, for the run to end."""
    known = {r["run_id"] for r in await _runs(api, sched["workflow_id"])}
    # A fire's workflow id ends in its time to the second: two fires in one second would share it.
    await asyncio.sleep(1 - time.time() % 1)
    await env.client.get_schedule_handle(sched["temporal_schedule_id"]).trigger()
    async with asyncio.timeout(30):
        while True:
            new = [r for r in await _runs(api, sched["workflow_id"]) if r["run_id"] not in known]
            if new:
                [run] = new
                return await finished(api, run["run_id"])
            await asyncio.sleep(0.2)


async def _runs(api: httpx.AsyncClient, workflow_id: str) -> list[dict[str, Any]]:
    answer = await api.get("/v1/runs", params={"workflow_id": workflow_id})
    assert answer.status_code == 200, answer.text
    items: list[dict[str, Any]] = answer.json()["items"]
    return items


async def test_a_fired_schedule_runs_the_live_version_through_a_worker(
    api: httpx.AsyncClient, acme: tuple[Account, str], dev_env: WorkflowEnvironment, worker: Worker
) -> None:
    workflow_id = await publish(api, said("hello {{ input.who }}"))

    sched = await schedule(api, workflow_id, timezone="Europe/Paris", input={"who": "cron"})

    assert (sched["workflow_id"], sched["version"], sched["status"]) == (workflow_id, 1, "active")
    # Midnight on 1 January in Paris is 23:00 UTC the day before.
    assert "-12-31T23:00:00" in sched["next_times"][0]
    account, _key = acme
    assert sched["temporal_schedule_id"] == f"relay-{account.id}-{workflow_id}-{sched['id']}"
    listed = (await api.get(f"/v1/workflows/{workflow_id}/schedules")).json()["items"]
    assert [s["id"] for s in listed] == [sched["id"]]

    run = await fire(dev_env, api, sched)

    assert (run["status"], run["version"], run["input"]) == ("completed", 1, {"who": "cron"})
    assert {s["id"]: s["output"] for s in run["steps"]} == {"say": {"message": "hello cron"}}
    assert run["temporal_workflow_id"].startswith(sched["temporal_schedule_id"] + "-")
    described = await dev_env.client.get_workflow_handle(run["temporal_workflow_id"]).describe()
    attributes = described.typed_search_attributes
    assert attributes.get(RELAY_ACCOUNT) == account.id
    assert attributes.get(RELAY_WORKFLOW) == workflow_id
    assert attributes.get(RELAY_VERSION) == 1
    # A fire learns its run id as it starts, and upserts it: the API's run id finds it.
    assert attributes.get(RELAY_RUN) == run["run_id"]
    assert attributes.get(RELAY_STATUS) == "completed"
    # Recorded once, however often runs are listed.
    assert [r["run_id"] for r in await _runs(api, workflow_id)] == [run["run_id"]]
    await api.delete(f"/v1/workflows/{workflow_id}/schedules/{sched['id']}")


async def test_publishing_moves_schedules_to_the_new_live_version(
    api: httpx.AsyncClient, dev_env: WorkflowEnvironment, worker: Worker
) -> None:
    workflow_id = await publish(api, said("first"))
    sched = await schedule(api, workflow_id)
    await api.put(f"/v1/workflows/{workflow_id}", json=said("second"))
    await api.post(f"/v1/workflows/{workflow_id}/versions")

    await api.post(f"/v1/workflows/{workflow_id}/publish", json={"version": 2})

    path = f"/v1/workflows/{workflow_id}/schedules/{sched['id']}"
    assert (await api.get(path)).json()["version"] == 2
    run = await fire(dev_env, api, sched)
    assert (run["version"], run["output"]) == (2, {"message": "second"})

    await api.post(f"/v1/workflows/{workflow_id}/publish", json={"version": 1})  # rollback

    assert (await api.get(path)).json()["version"] == 1
    run = await fire(dev_env, api, sched)
    assert (run["version"], run["output"]) == (1, {"message": "first"})
    await api.delete(path)


async def test_pause_resume_and_delete(api: httpx.AsyncClient, dev_env: WorkflowEnvironment) -> None:
    workflow_id = await publish(api, said("tick"))
    sched = await schedule(api, workflow_id, cron="*/5 * * * *")
    path = f"/v1/workflows/{workflow_id}/schedules/{sched['id']}"
    handle = dev_env.client.get_schedule_handle(sched["temporal_schedule_id"])

    paused = await api.post(f"{path}/pause")

    assert paused.status_code == 200, paused.text
    assert paused.json()["status"] == "paused"
    assert (await handle.describe()).schedule.state.paused

    resumed = await api.post(f"{path}/resume")

    assert resumed.json()["status"] == "active"
    assert not (await handle.describe()).schedule.state.paused

    deleted = await api.delete(path)

    assert deleted.status_code == 204
    assert (await api.get(path)).status_code == 404
    assert (await api.get(f"/v1/workflows/{workflow_id}/schedules")).json()["items"] == []
    with pytest.raises(RPCError) as gone:
        await handle.describe()
    assert gone.value.status == RPCStatusCode.NOT_FOUND


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"cron": "not a cron"}, "cron"),
        ({"cron": "61 * * * *"}, "cron"),
        ({"cron": YEARLY, "timezone": "Mars/Olympus_Mons"}, "timezone"),
    ],
)
async def test_a_bad_spec_names_the_field_and_writes_nothing(
    api: httpx.AsyncClient, body: dict[str, str], field: str
) -> None:
    workflow_id = await publish(api, said("never"))

    answer = await api.post(f"/v1/workflows/{workflow_id}/schedules", json=body)

    assert answer.status_code == 422, answer.text
    assert answer.json()["field"] == field
    assert (await api.get(f"/v1/workflows/{workflow_id}/schedules")).json()["items"] == []


async def test_a_workflow_without_a_live_version_cannot_be_scheduled(api: httpx.AsyncClient) -> None:
    workflow_id = (await api.post("/v1/workflows", json=said("draft"))).json()["id"]

    answer = await api.post(f"/v1/workflows/{workflow_id}/schedules", json={"cron": YEARLY})

    assert answer.status_code == 409
    assert "publish" in answer.json()["detail"]


async def test_another_accounts_schedules_are_404(
    api: httpx.AsyncClient, other_api: httpx.AsyncClient
) -> None:
    workflow_id = await publish(api, said("mine"))
    sched = await schedule(api, workflow_id)
    base = f"/v1/workflows/{workflow_id}/schedules"

    answers = [
        await other_api.post(base, json={"cron": YEARLY}),
        await other_api.get(base),
        await other_api.get(f"{base}/{sched['id']}"),
        await other_api.post(f"{base}/{sched['id']}/pause"),
        await other_api.delete(f"{base}/{sched['id']}"),
    ]

    assert [a.status_code for a in answers] == [404] * 5
    assert (await api.get(f"{base}/{sched['id']}")).json()["status"] == "active"
    await api.delete(f"{base}/{sched['id']}")


async def test_deleting_the_collection_deletes_every_schedule(
    api: httpx.AsyncClient, other_api: httpx.AsyncClient, dev_env: WorkflowEnvironment
) -> None:
    workflow_id = await publish(api, said("bye"))
    first, second = await schedule(api, workflow_id), await schedule(api, workflow_id, cron="@daily")
    base = f"/v1/workflows/{workflow_id}/schedules"

    assert (await other_api.delete(base)).status_code == 404
    assert (await api.delete(base)).status_code == 204

    assert (await api.get(base)).json()["items"] == []
    for gone in (first, second):
        with pytest.raises(RPCError):
            await dev_env.client.get_schedule_handle(gone["temporal_schedule_id"]).describe()


WAITS_FOR_GO = {
    **MANUAL,
    "actions": [
        {"id": "hold", "type": "wait_for_event", "data": {"event": "cron/go", "timeout": "1h"}},
        {"id": "say", "type": "log", "data": {"message": "{{ run.id }} got {{ steps.hold.output.data.n }}"}},
    ],
}


async def test_a_scheduled_run_is_a_run_like_any_other_and_receives_events(
    api: httpx.AsyncClient, dev_env: WorkflowEnvironment, worker: Worker
) -> None:
    workflow_id = await publish(api, WAITS_FOR_GO)
    sched = await schedule(api, workflow_id)
    await asyncio.sleep(1 - time.time() % 1)
    await dev_env.client.get_schedule_handle(sched["temporal_schedule_id"]).trigger()
    async with asyncio.timeout(30):
        while True:  # the fire records its own row and subscriptions when it starts
            runs = await _runs(api, workflow_id)
            if runs and runs[0]["status"] == "running":
                break
            await asyncio.sleep(0.2)

    posted = (await api.post("/v1/events", json={"name": "cron/go", "data": {"n": 7}})).json()

    assert posted["resumed"] == 1
    [run] = runs
    ended = await finished(api, run["run_id"])
    assert ended["status"] == "completed"
    # run.id is the run's own id, the one the API lists, not the schedule's.
    assert {s["id"]: s["output"] for s in ended["steps"]}["say"] == {"message": f"{run['run_id']} got 7"}
    await api.delete(f"/v1/workflows/{workflow_id}/schedules/{sched['id']}")
