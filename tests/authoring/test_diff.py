"""``GET /v1/workflows/{id}/versions/{n}/diff?against=m``: what changed, step by step."""

from typing import Any

import httpx

V1: dict[str, Any] = {
    "name": "Approval",
    "trigger": {"event": "crm/lead_status.changed"},
    "nodes": [
        {"id": "gate", "type": "filter", "data": {"field": "status", "value": "proposal_created"}},
        {"id": "mail", "type": "email", "data": {"template": "proposal", "to": "leadEmail"}},
        {"id": "chat", "type": "slack", "data": {"channel": "C1"}},
        {"id": "wait", "type": "sleep", "data": {"duration": "2 days"}},
    ],
    "edges": [
        {"source": "gate", "target": "mail"},
        {"source": "mail", "target": "chat"},
        {"source": "chat", "target": "wait"},
    ],
}
V2: dict[str, Any] = {
    **V1,
    "trigger": {"event": "crm/lead_status.updated"},
    "nodes": [
        {**V1["nodes"][0], "position": {"x": 300, "y": 10}},  # moved on the canvas only
        {"id": "mail", "type": "email", "data": {"template": "proposal_v2", "to": "leadEmail"}},
        {"id": "wait", "type": "sleep", "data": {"duration": "2 days"}},
        {"id": "log", "type": "log", "data": {"message": "sent"}, "retry": {"max_attempts": 2}},
    ],
    "edges": [
        {"source": "gate", "target": "mail"},
        {"source": "mail", "target": "wait"},
        {"source": "wait", "target": "log"},
    ],
}


async def test_diff_of_two_versions(api: httpx.AsyncClient) -> None:
    workflow_id = (await api.post("/v1/workflows", json=V1)).json()["id"]
    base = f"/v1/workflows/{workflow_id}"
    assert (await api.post(f"{base}/versions")).status_code == 201
    assert (await api.put(base, json=V2)).status_code == 200
    assert (await api.post(f"{base}/versions")).status_code == 201

    answer = await api.get(f"{base}/versions/2/diff", params={"against": 1})
    assert answer.status_code == 200, answer.text
    diff = answer.json()
    assert (diff["version"], diff["against"], diff["changed"]) == (2, 1, True)
    steps = {s["id"]: s for s in diff["steps"]}
    assert {i: s["change"] for i, s in steps.items()} == {
        "mail": "changed", "wait": "changed", "log": "added", "chat": "removed"
    }  # fmt: skip
    mail = {c["path"]: (c["before"], c["after"]) for c in steps["mail"]["changes"]}
    assert mail == {
        "data.template": ("proposal", "proposal_v2"),
        "next": ([{"target": "chat"}], [{"target": "wait"}]),
    }
    assert [c["path"] for c in steps["wait"]["changes"]] == ["next"]  # only its edges changed
    assert "gate" not in steps  # a layout change is no change
    assert diff["workflow"] == [
        {"path": "trigger.event", "before": "crm/lead_status.changed", "after": "crm/lead_status.updated"}
    ]

    # ``against`` defaults to the version before; the reverse diff mirrors it.
    assert (await api.get(f"{base}/versions/2/diff")).json() == diff
    back = (await api.get(f"{base}/versions/1/diff", params={"against": 2})).json()
    assert {s["id"]: s["change"] for s in back["steps"]}["log"] == "removed"
    same = (await api.get(f"{base}/versions/1/diff", params={"against": 1})).json()
    assert (same["changed"], same["steps"], same["workflow"]) == (False, [], [])


async def test_diff_bad_requests(api: httpx.AsyncClient) -> None:
    workflow_id = (await api.post("/v1/workflows", json=V1)).json()["id"]
    base = f"/v1/workflows/{workflow_id}"
    await api.post(f"{base}/versions")
    first = await api.get(f"{base}/versions/1/diff")
    assert first.status_code == 422 and first.json()["field"] == "against"
    assert (await api.get(f"{base}/versions/1/diff", params={"against": 5})).status_code == 404
