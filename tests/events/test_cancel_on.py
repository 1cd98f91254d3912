"""``cancel_on``: a matching event ends the run as cancelled, a step in progress is cancelled."""

import httpx

from tests.support.api_calls import finished, post_event, publish

FOLLOW_UP = {
    "name": "Deal follow-up",
    "trigger": {"event": "deal/opened"},
    "cancel_on": [{"event": "deal/lost", "match": "data.deal_id"}],
    "actions": [
        {"id": "nap", "type": "sleep", "data": {"duration": "30 days"}},
        {"type": "log", "data": {"message": "follow up on {{ event.data.deal_id }}"}},
    ],
}


async def test_matching_event_cancels_only_its_run(
    relay_dev: tuple[httpx.AsyncClient, httpx.AsyncClient],
) -> None:
    acme, _ = relay_dev
    await publish(acme, FOLLOW_UP)
    [lost_run] = (await post_event(acme, "deal/opened", {"deal_id": "d1"}))["runs"]
    [kept_run] = (await post_event(acme, "deal/opened", {"deal_id": "d2"}))["runs"]
    await post_event(acme, "deal/lost", {"deal_id": "d1"})
    run = await finished(acme, lost_run, seconds=120)
    assert run["status"] == "cancelled"
    nap = {s["id"]: s for s in run["steps"]}["nap"]
    assert nap["status"] == "cancelled" and nap["error"] is None
    assert (await acme.get(f"/v1/runs/{kept_run}")).json()["status"] == "running"
