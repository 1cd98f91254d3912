"""A bad definition answers 422 naming the node and field; nothing is written."""

import httpx
from sqlalchemy import Engine
from sqlmodel import Session, select

from relay.storage.tables import Workflow, WorkflowVersion
from tests.api.flows import GREETER, greeter

BAD_EMAIL = greeter(
    actions=[
        {"type": "filter", "data": {"field": "plan", "value": "pro"}},
        {"type": "email", "data": {"template": "welcome", "to": 42}},
    ]
)


async def test_bad_definition_names_the_node_and_saves_nothing(api: httpx.AsyncClient, db: Engine) -> None:
    answer = await api.post("/v1/workflows", json=BAD_EMAIL)

    assert answer.status_code == 422, answer.text
    errors = answer.json()["detail"]
    assert any(e["node"] == "email_2" and e["loc"].startswith("actions[1].data.to") for e in errors), errors
    with Session(db) as session:
        assert session.exec(select(Workflow)).all() == []


async def test_unknown_action_type_is_named(api: httpx.AsyncClient) -> None:
    answer = await api.post(
        "/v1/workflows", json=greeter(actions=[{"id": "crm", "type": "crm_sync", "data": {}}])
    )

    assert answer.status_code == 422
    [error] = answer.json()["detail"]
    assert (error["node"], error["loc"]) == ("crm", "actions[0].type")
    assert "crm_sync" in error["message"]


async def test_bad_replacement_keeps_the_old_draft(api: httpx.AsyncClient, db: Engine) -> None:
    workflow_id = (await api.post("/v1/workflows", json=GREETER)).json()["id"]

    answer = await api.put(f"/v1/workflows/{workflow_id}", json=BAD_EMAIL)

    assert answer.status_code == 422
    assert (await api.get(f"/v1/workflows/{workflow_id}")).json()["definition"] == GREETER
    with Session(db) as session:
        assert session.exec(select(WorkflowVersion)).all() == []


async def test_body_that_is_not_an_object_names_the_field(api: httpx.AsyncClient) -> None:
    answer = await api.post("/v1/workflows", json={"definition": ["not", "an", "object"]})

    assert answer.status_code == 422
    assert answer.json()["detail"][0]["loc"] == ["body", "definition"]
