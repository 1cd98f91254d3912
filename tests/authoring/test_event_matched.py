"""``POST /v1/events`` says what it started (``started``) and whether it matched anything."""

import httpx
from temporalio.worker import Worker

from tests.support.api_calls import publish

GREETER = {
    "name": "Greeter",
    "trigger": {"event": "user/signed_up"},
    "actions": [{"id": "greet", "type": "log", "data": {"message": "hi"}}],
}


async def test_unmatched_event_says_so_and_matched_names_its_runs(
    api: httpx.AsyncClient, worker: Worker
) -> None:
    # Saved but not published: the event starts nothing, and says so.
    draft = (await api.post("/v1/workflows", json=GREETER)).json()["id"]
    unmatched = await api.post("/v1/events", json={"name": "user/signed_up", "data": {}})
    assert unmatched.status_code == 202, unmatched.text
    body = unmatched.json()
    assert (body["matched"], body["started"], body["runs"], body["resumed"]) == (False, [], [], 0)

    await api.post(f"/v1/workflows/{draft}/versions")
    await api.post(f"/v1/workflows/{draft}/publish", json={"version": 1})
    other = await publish(api, {**GREETER, "name": "Greeter two"})
    matched = (await api.post("/v1/events", json={"name": "user/signed_up", "data": {}, "id": "e-1"})).json()
    assert matched["matched"] is True
    assert sorted((s["workflow_id"], s["version"]) for s in matched["started"]) == sorted(
        [(draft, 1), (other, 1)]
    )
    assert [s["run_id"] for s in matched["started"]] == matched["runs"]

    # The same id again answers the same.
    again = (await api.post("/v1/events", json={"name": "user/signed_up", "data": {}, "id": "e-1"})).json()
    assert (again["started"], again["matched"]) == (matched["started"], True)
