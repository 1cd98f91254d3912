"""Manual runs on a real worker: they reach an end, with their steps, on the version they pinned."""

import httpx
from temporalio.worker import Worker

from tests.api.flows import MANUAL
from tests.support.api_calls import finished, publish


async def test_manual_run_completes_with_its_steps(api: httpx.AsyncClient, worker: Worker) -> None:
    workflow_id = await publish(api, MANUAL)

    started = await api.post(f"/v1/workflows/{workflow_id}/runs", json={"input": {"go": True, "who": "Ada"}})

    assert started.status_code == 202, started.text
    run = await finished(api, started.json()["run_id"])
    assert (run["status"], run["workflow_id"], run["version"]) == ("completed", workflow_id, 1)
    assert run["error"] is None
    assert run["temporal_ui_url"].endswith(run["temporal_workflow_id"])
    steps = {s["id"]: s for s in run["steps"]}
    assert steps["filter_1"]["status"] == "completed"
    assert steps["say"]["status"] == "completed"
    assert steps["say"]["output"] == {"message": "hello Ada"}
    assert steps["say"]["attempts"] == 1
    assert steps["say"]["started_at"] and steps["say"]["ended_at"]
    # Stored once ended: read again, the same answer comes from the database.
    assert (await api.get(f"/v1/runs/{run['run_id']}")).json() == run


async def test_filter_false_ends_the_run_as_filtered(api: httpx.AsyncClient, worker: Worker) -> None:
    workflow_id = await publish(api, MANUAL)

    started = await api.post(f"/v1/workflows/{workflow_id}/runs", json={"input": {"go": False}})

    run = await finished(api, started.json()["run_id"])
    assert run["status"] == "filtered"
    # Listed (every step of the definition is), never reached: the run ended first.
    assert {s["id"]: s["status"] for s in run["steps"]}["say"] == "not_run"


async def test_a_run_keeps_the_version_it_started_on(api: httpx.AsyncClient, worker: Worker) -> None:
    workflow_id = await publish(api, MANUAL)
    changed = {**MANUAL, "actions": [{"id": "say", "type": "log", "data": {"message": "v2"}}]}
    await api.put(f"/v1/workflows/{workflow_id}", json=changed)
    await api.post(f"/v1/workflows/{workflow_id}/versions")

    on_v1 = await api.post(f"/v1/workflows/{workflow_id}/runs", json={"input": {"go": True, "who": "Bo"}})
    await api.post(f"/v1/workflows/{workflow_id}/publish", json={"version": 2})
    on_v2 = await api.post(f"/v1/workflows/{workflow_id}/runs")
    back_on_v1 = await api.post(f"/v1/workflows/{workflow_id}/runs", json={"version": 1})

    first = await finished(api, on_v1.json()["run_id"])
    assert first["version"] == 1
    assert {s["id"]: s["output"] for s in first["steps"]}["say"] == {"message": "hello Bo"}
    second = await finished(api, on_v2.json()["run_id"])
    assert second["version"] == 2
    assert {s["id"]: s["output"] for s in second["steps"]}["say"] == {"message": "v2"}
    assert (await finished(api, back_on_v1.json()["run_id"]))["version"] == 1


async def test_without_a_live_version_a_run_is_refused(api: httpx.AsyncClient) -> None:
    workflow_id = (await api.post("/v1/workflows", json=MANUAL)).json()["id"]

    no_live = await api.post(f"/v1/workflows/{workflow_id}/runs", json={})
    assert no_live.status_code == 409
    assert no_live.json()["field"] == "version"

    missing = await api.post(f"/v1/workflows/{workflow_id}/runs", json={"version": 7})
    assert missing.status_code == 422
    assert "version 7" in missing.json()["detail"]
