"""A trigger's `if` decides, at intake, whether a matching event starts a run."""

import httpx
from sqlalchemy import Engine

from tests.api.flows import SIGNUP, greeter
from tests.support.api_calls import publish

LOG = [{"type": "log", "data": {"message": "x"}}]


async def test_only_workflows_whose_condition_holds_start(api: httpx.AsyncClient, db: Engine) -> None:
    anyone = await publish(api, greeter(name="Anyone", actions=LOG))
    pro_only = await publish(
        api, greeter(name="Pro only", trigger={"event": SIGNUP, "if": "event.data.plan = 'pro'"}, actions=LOG)
    )
    await publish(
        api,
        greeter(
            name="Own event", trigger={"event": SIGNUP, "if": "event.name != 'user/signed_up'"}, actions=LOG
        ),
    )

    free = (await api.post("/v1/events", json={"name": SIGNUP, "data": {"plan": "free"}})).json()
    pro = (await api.post("/v1/events", json={"name": SIGNUP, "data": {"plan": "pro"}})).json()

    assert await _workflows(api, free["event_id"]) == {anyone}
    assert await _workflows(api, pro["event_id"]) == {anyone, pro_only}


async def test_a_condition_that_fails_on_an_event_starts_nothing(api: httpx.AsyncClient, db: Engine) -> None:
    await publish(
        api, greeter(name="Picky", trigger={"event": SIGNUP, "if": "event.data.seats > 10"}, actions=LOG)
    )

    odd = await api.post("/v1/events", json={"name": SIGNUP, "data": {"seats": "many"}})
    big = await api.post("/v1/events", json={"name": SIGNUP, "data": {"seats": 12}})

    assert odd.status_code == 202 and odd.json()["runs"] == []
    assert len(big.json()["runs"]) == 1


async def _workflows(api: httpx.AsyncClient, event_id: str) -> set[str]:
    runs = (await api.get("/v1/runs", params={"event_id": event_id})).json()["items"]
    return {run["workflow_id"] for run in runs}
