"""Versions freeze the draft; publishing picks the live one; rollback is publishing an older one."""

import httpx

from tests.api.flows import GREETER, SIGNUP, greeter


async def test_versions_are_frozen_and_publish_rolls_back(api: httpx.AsyncClient) -> None:
    workflow_id = (await api.post("/v1/workflows", json=GREETER)).json()["id"]
    base = f"/v1/workflows/{workflow_id}"

    first = await api.post(f"{base}/versions")
    assert first.status_code == 201 and first.json() == {"version": 1, "warnings": []}
    await api.put(base, json=greeter(trigger={"event": "user/upgraded"}))
    assert (await api.post(f"{base}/versions")).json() == {"version": 2, "warnings": []}

    v1 = (await api.get(f"{base}/versions/1")).json()
    assert v1["definition"] == GREETER  # editing the draft did not touch version 1
    assert v1["trigger_event"] == SIGNUP
    assert [n["id"] for n in v1["compiled"]["nodes"]] == ["filter_1", "greet"]

    live = await api.post(f"{base}/publish", json={"version": 2})
    assert live.status_code == 200, live.text
    assert (live.json()["live_version"], live.json()["trigger_event"]) == (2, "user/upgraded")

    rolled_back = (await api.post(f"{base}/publish", json={"version": 1})).json()
    assert (rolled_back["live_version"], rolled_back["trigger_event"]) == (1, SIGNUP)

    listed = (await api.get(f"{base}/versions")).json()["items"]
    assert [(v["version"], v["live"]) for v in listed] == [(2, False), (1, True)]
    assert (await api.get(base)).json()["latest_version"] == 2


async def test_publishing_a_missing_version_is_refused(api: httpx.AsyncClient) -> None:
    workflow_id = (await api.post("/v1/workflows", json=GREETER)).json()["id"]
    base = f"/v1/workflows/{workflow_id}"

    missing = await api.post(f"{base}/publish", json={"version": 3})
    assert missing.status_code == 404
    assert "version 3" in missing.json()["detail"]

    bad = await api.post(f"{base}/publish", json={"version": "latest"})
    assert bad.status_code == 422
    assert bad.json()["detail"][0]["loc"] == ["body", "version"]

    assert (await api.get(f"{base}/versions/1")).status_code == 404
    assert (await api.get(base)).json()["live_version"] is None
