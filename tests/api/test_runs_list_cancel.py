"""Listing runs (filters, newest first, pages) and cancelling one."""

import httpx
from sqlalchemy import Engine
from sqlmodel import Session
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Worker

from relay.storage.tables import Run
from tests.api.flows import GREETER, SIGNUP, greeter
from tests.support.api_calls import finished, publish

SLEEPER = greeter(
    name="Sleeper",
    actions=[{"id": "nap", "type": "sleep", "data": {"duration": "1h"}}],
)


async def test_list_filters_by_workflow_event_and_status(api: httpx.AsyncClient, worker: Worker) -> None:
    greeter_id = await publish(api, GREETER)
    sleeper_id = await publish(api, SLEEPER)
    pro = (await api.post("/v1/events", json={"name": SIGNUP, "data": {"plan": "pro"}})).json()
    free = (await api.post("/v1/events", json={"name": SIGNUP, "data": {"plan": "free"}})).json()
    for event in (pro, free):
        [greeter_run] = await _run_ids(api, workflow_id=greeter_id, event_id=event["event_id"])
        await finished(api, greeter_run)

    by_event = await _run_ids(api, event_id=pro["event_id"])
    assert sorted(by_event) == sorted(pro["runs"])
    assert len(await _run_ids(api, workflow_id=sleeper_id)) == 2
    # Statuses are brought up to date before filtering.
    filtered = await api.get("/v1/runs", params={"status": "filtered"})
    assert [r["workflow_id"] for r in filtered.json()["items"]] == [greeter_id]
    running = await api.get("/v1/runs", params={"status": "running", "workflow_id": sleeper_id})
    assert len(running.json()["items"]) == 2

    newest_first = await _run_ids(api)
    assert set(newest_first[:2]) == set(free["runs"])
    page = (await api.get("/v1/runs", params={"limit": 3})).json()
    rest = (await api.get("/v1/runs", params={"limit": 3, "cursor": page["next_cursor"]})).json()
    assert [r["run_id"] for r in page["items"] + rest["items"]] == newest_first
    assert rest["next_cursor"] is None

    bad = await api.get("/v1/runs", params={"status": "sleeping"})
    assert bad.status_code == 422 and bad.json()["detail"][0]["loc"] == ["query", "status"]


async def test_cancel_a_sleeping_run(api: httpx.AsyncClient, worker: Worker) -> None:
    workflow_id = await publish(api, SLEEPER)
    run_id = (await api.post(f"/v1/workflows/{workflow_id}/runs")).json()["run_id"]

    answer = await api.post(f"/v1/runs/{run_id}/cancel")

    assert answer.status_code == 202
    assert answer.json() == {"run_id": run_id, "status": "cancelling"}
    run = await finished(api, run_id)
    assert run["status"] == "cancelled"
    again = await api.post(f"/v1/runs/{run_id}/cancel")
    assert again.status_code == 409
    assert "cancelled" in again.json()["detail"]


async def test_another_accounts_run_is_404(
    api: httpx.AsyncClient, other_api: httpx.AsyncClient, worker: Worker
) -> None:
    workflow_id = await publish(api, SLEEPER)
    run_id = (await api.post(f"/v1/workflows/{workflow_id}/runs")).json()["run_id"]

    assert (await other_api.get(f"/v1/runs/{run_id}")).status_code == 404
    assert (await other_api.post(f"/v1/runs/{run_id}/cancel")).status_code == 404
    assert (await other_api.get("/v1/runs")).json()["items"] == []
    await api.post(f"/v1/runs/{run_id}/cancel")


async def _run_ids(api: httpx.AsyncClient, **params: str) -> list[str]:
    answer = await api.get("/v1/runs", params=params)
    assert answer.status_code == 200, answer.text
    return [r["run_id"] for r in answer.json()["items"]]


async def test_cancel_a_run_terminated_in_temporal_records_its_end(
    api: httpx.AsyncClient, worker: Worker, dev_env: WorkflowEnvironment, db: Engine
) -> None:
    """Temporal accepts a cancel request for a terminated workflow without an error: the API
    must not answer ``cancelling`` then, but learn that the run has ended."""
    workflow_id = await publish(api, SLEEPER)
    run_id = (await api.post(f"/v1/workflows/{workflow_id}/runs")).json()["run_id"]
    with Session(db) as session:
        row = session.get(Run, run_id)
        assert row is not None
        temporal_id = row.temporal_workflow_id
    await dev_env.client.get_workflow_handle(temporal_id).terminate(reason="by an operator, outside Relay")

    answer = await api.post(f"/v1/runs/{run_id}/cancel")

    assert answer.status_code == 409, answer.text
    run = (await api.get(f"/v1/runs/{run_id}")).json()
    assert run["status"] == "cancelled" and run["error"] == "terminated in Temporal"
