"""The event log: newest first, by name and time, in pages, one account's only; one event with
the runs it started."""

import asyncio

import httpx

from tests.api.flows import GREETER, SIGNUP
from tests.support.api_calls import publish


async def test_events_newest_first_by_name_since_and_in_pages(
    api: httpx.AsyncClient, other_api: httpx.AsyncClient
) -> None:
    posted = []
    for name in (SIGNUP, "user/left", SIGNUP):
        posted.append((await api.post("/v1/events", json={"name": name, "data": {"n": len(posted)}})).json())
        await asyncio.sleep(0.01)  # distinct receive times
    await other_api.post("/v1/events", json={"name": SIGNUP, "data": {}})
    ids = [p["event_id"] for p in posted]

    everything = (await api.get("/v1/events")).json()

    assert [e["event_id"] for e in everything["items"]] == ids[::-1]
    assert everything["items"][0]["data"] == {"n": 2}
    assert everything["next_cursor"] is None
    signups = (await api.get("/v1/events", params={"name": SIGNUP})).json()["items"]
    assert [e["event_id"] for e in signups] == [ids[2], ids[0]]
    second_at = everything["items"][1]["received_at"]
    since = (await api.get("/v1/events", params={"since": second_at})).json()["items"]
    assert [e["event_id"] for e in since] == [ids[2], ids[1]]
    page = (await api.get("/v1/events", params={"limit": 2})).json()
    rest = (await api.get("/v1/events", params={"limit": 2, "cursor": page["next_cursor"]})).json()
    assert [e["event_id"] for e in page["items"] + rest["items"]] == ids[::-1]
    assert rest["next_cursor"] is None


async def test_one_event_with_the_runs_it_started(
    api: httpx.AsyncClient, other_api: httpx.AsyncClient
) -> None:
    await publish(api, GREETER)
    posted = (
        await api.post("/v1/events", json={"name": SIGNUP, "data": {"plan": "pro"}, "id": "su-7"})
    ).json()

    by_relay_id = await api.get(f"/v1/events/{posted['event_id']}")
    by_your_id = await api.get("/v1/events/su-7")

    assert by_relay_id.status_code == 200, by_relay_id.text
    event = by_relay_id.json()
    assert by_your_id.json() == event
    assert (event["event_id"], event["external_id"], event["name"]) == (posted["event_id"], "su-7", SIGNUP)
    assert (event["runs"], event["resumed"], event["replays"]) == (posted["runs"], 0, [])
    assert event["received_at"].endswith("Z")
    assert (await other_api.get("/v1/events/su-7")).status_code == 404
    assert (await api.get("/v1/events/nope")).status_code == 404
