"""Events start every live workflow they trigger, once, however often the same id is posted."""

import asyncio

import httpx
from sqlalchemy import Engine
from sqlmodel import Session, func, select
from temporalio.testing import WorkflowEnvironment

from interpreter.contract import (
    RELAY_ACCOUNT,
    RELAY_EVENT,
    RELAY_EVENT_ID,
    RELAY_RUN,
    RELAY_VERSION,
    RELAY_WORKFLOW,
)
from relay.storage.tables import Account, Event, Run
from tests.api.flows import GREETER, SIGNUP, greeter
from tests.support.api_calls import publish


async def test_event_starts_each_matching_live_workflow(
    api: httpx.AsyncClient,
    other_api: httpx.AsyncClient,
    acme: tuple[Account, str],
    dev_env: WorkflowEnvironment,
) -> None:
    first = await publish(api, GREETER)
    second = await publish(api, greeter(name="Second"))
    await publish(api, greeter(name="Elsewhere", trigger={"event": "user/left"}))
    archived = await publish(api, greeter(name="Archived"))
    await api.delete(f"/v1/workflows/{archived}")
    await api.post("/v1/workflows", json=greeter(name="Draft only"))
    await publish(other_api, GREETER)

    answer = await api.post("/v1/events", json={"name": SIGNUP, "data": {"plan": "pro", "name": "Ada"}})

    assert answer.status_code == 202, answer.text
    body = answer.json()
    assert len(body["runs"]) == 2 and body["resumed"] == 0
    runs = (await api.get("/v1/runs", params={"event_id": body["event_id"]})).json()["items"]
    assert {r["workflow_id"] for r in runs} == {first, second}
    assert {r["status"] for r in runs} == {"running"}
    account, _key = acme
    for run in runs:
        wf_id = f"relay-{account.id}-{run['workflow_id']}-evt-{body['event_id']}"
        assert run["temporal_workflow_id"] == wf_id
        assert run["temporal_ui_url"].endswith(f"/namespaces/default/workflows/{wf_id}")
        described = await dev_env.client.get_workflow_handle(wf_id).describe()
        attributes = described.typed_search_attributes
        assert attributes.get(RELAY_ACCOUNT) == account.id
        assert attributes.get(RELAY_WORKFLOW) == run["workflow_id"]
        assert attributes.get(RELAY_VERSION) == 1
        assert attributes.get(RELAY_EVENT) == SIGNUP  # the event's name; its id is RelayEventId
        assert attributes.get(RELAY_EVENT_ID) == body["event_id"]
        assert attributes.get(RELAY_RUN) == run["run_id"]


async def test_same_id_twice_gives_the_same_answer(api: httpx.AsyncClient, db: Engine) -> None:
    await publish(api, GREETER)
    event = {"name": SIGNUP, "data": {"plan": "pro"}, "id": "signup-42"}

    first = await api.post("/v1/events", json=event)
    again = await api.post("/v1/events", json=event)

    assert first.status_code == again.status_code == 202
    assert first.json() == again.json()
    assert _counts(db) == (1, 1)


async def test_twenty_concurrent_posts_record_one_set_of_runs(api: httpx.AsyncClient, db: Engine) -> None:
    await publish(api, GREETER)
    await publish(api, greeter(name="Second"))
    event = {"name": SIGNUP, "data": {"plan": "pro"}, "id": "burst-1"}

    answers = await asyncio.gather(*(api.post("/v1/events", json=event) for _ in range(20)))

    assert {a.status_code for a in answers} == {202}
    bodies = [a.json() for a in answers]
    assert all(b == bodies[0] for b in bodies)
    assert len(bodies[0]["runs"]) == 2
    assert _counts(db) == (1, 2)
    with Session(db) as session:
        assert session.exec(select(Event.dispatched)).all() == [True]


async def test_without_id_every_post_is_a_new_event(api: httpx.AsyncClient, db: Engine) -> None:
    await publish(api, GREETER)
    event = {"name": SIGNUP, "data": {"plan": "pro"}}

    first = (await api.post("/v1/events", json=event)).json()
    second = (await api.post("/v1/events", json=event)).json()

    assert first["event_id"] != second["event_id"]
    assert _counts(db) == (2, 2)


async def test_reusing_an_id_for_another_event_is_a_conflict(api: httpx.AsyncClient) -> None:
    await api.post("/v1/events", json={"name": SIGNUP, "data": {}, "id": "e-1"})

    answer = await api.post("/v1/events", json={"name": "user/left", "data": {}, "id": "e-1"})

    assert answer.status_code == 409
    assert answer.json()["field"] == "id"


async def test_event_without_a_name_names_the_field(api: httpx.AsyncClient) -> None:
    answer = await api.post("/v1/events", json={"data": {}})

    assert answer.status_code == 422
    assert answer.json()["detail"][0]["loc"] == ["body", "name"]


def _counts(db: Engine) -> tuple[int, int]:
    with Session(db) as session:
        events = session.exec(select(func.count()).select_from(Event)).one()
        runs = session.exec(select(func.count()).select_from(Run)).one()
        return events, runs
