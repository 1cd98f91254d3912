"""Flow-control keys are checked when a definition is saved: 422 naming the field."""

import httpx
import pytest

BASE = {
    "name": "Checked",
    "trigger": {"event": "x/y"},
    "actions": [{"type": "sleep", "data": {"duration": "1s"}}],
}


@pytest.mark.parametrize(
    ("flow", "field"),
    [
        ({"concurrency": {"limit": 0}}, "concurrency.limit"),
        ({"concurrency": {"limit": 1, "key": "event.data.("}}, "concurrency.key"),
        ({"concurrency": {"limit": 1, "key": "steps.a.output"}}, "concurrency.key"),
        ({"throttle": {"limit": 2, "period": "often"}}, "throttle.period"),
        ({"throttle": {"limit": 0, "period": "4s"}}, "throttle.limit"),
        ({"debounce": {"period": "3 fortnights"}}, "debounce.period"),
        ({"debounce": {"period": "3s", "max_wait": "1s"}}, "debounce.max_wait"),
        ({"priority": 9}, "priority"),
        ({"priority": "event.data.p +"}, "priority"),
        ({"concurrency": {"limit": 1, "keys": "event.data.k"}}, "concurrency.keys"),
    ],
)
async def test_bad_flow_control_is_refused_naming_the_field(
    api: httpx.AsyncClient, flow: dict[str, object], field: str
) -> None:
    answer = await api.post("/v1/workflows", json={**BASE, **flow})
    assert answer.status_code == 422, answer.text
    assert field in answer.text, answer.text


async def test_good_flow_control_is_kept_with_the_version(api: httpx.AsyncClient) -> None:
    flow = {
        "concurrency": {"limit": 2, "key": "event.data.customer"},
        "throttle": {"limit": 10, "period": "1m"},
        "debounce": {"period": "5s", "key": "input.doc", "max_wait": "1m"},
        "priority": 2,
    }
    created = await api.post("/v1/workflows", json={**BASE, **flow})
    assert created.status_code == 201, created.text
    workflow_id = created.json()["id"]
    version = await api.post(f"/v1/workflows/{workflow_id}/versions")
    assert version.status_code == 201, version.text
    frozen = (await api.get(f"/v1/workflows/{workflow_id}/versions/1")).json()
    text = str(frozen)
    assert "event.data.customer" in text and "'max_wait': '1m'" in text, frozen
