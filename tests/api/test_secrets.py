"""Secrets are written by value and listed by name; no answer ever carries a value."""

import httpx
from sqlalchemy import Engine
from sqlmodel import Session, select

from relay.core.settings import Settings
from relay.storage.secrets import SecretBox
from relay.storage.tables import Secret

VALUE = "xoxb-very-secret-token"


async def test_secret_values_are_encrypted_and_never_returned(
    api: httpx.AsyncClient, db: Engine, settings: Settings
) -> None:
    written = await api.put("/v1/secrets/SLACK_TOKEN", json={"value": VALUE})
    assert written.status_code == 200, written.text
    assert set(written.json()) == {"name", "updated_at"}

    answers = [
        written,
        await api.get("/v1/secrets"),
        await api.get("/v1/secrets/SLACK_TOKEN"),
        await api.put("/v1/secrets/SLACK_TOKEN", json={"value": VALUE + "-2"}),
    ]
    assert all(VALUE not in a.text for a in answers)
    assert [s["name"] for s in answers[1].json()["items"]] == ["SLACK_TOKEN"]

    with Session(db) as session:
        [row] = session.exec(select(Secret)).all()
    assert VALUE not in row.ciphertext
    assert SecretBox(settings.secrets_keys).decrypt(row.ciphertext) == VALUE + "-2"


async def test_delete_and_unknown_names(api: httpx.AsyncClient, other_api: httpx.AsyncClient) -> None:
    await api.put("/v1/secrets/CRM_TOKEN", json={"value": "abc"})

    assert (await other_api.get("/v1/secrets/CRM_TOKEN")).status_code == 404
    assert (await other_api.get("/v1/secrets")).json()["items"] == []
    assert (await api.delete("/v1/secrets/CRM_TOKEN")).status_code == 204
    assert (await api.get("/v1/secrets/CRM_TOKEN")).status_code == 404
    assert (await api.delete("/v1/secrets/CRM_TOKEN")).status_code == 404


async def test_bad_names_and_bodies_name_the_field(api: httpx.AsyncClient) -> None:
    bad_name = await api.put("/v1/secrets/not-a-name", json={"value": "x"})
    assert bad_name.status_code == 422
    assert bad_name.json()["detail"][0]["loc"] == ["path", "name"]

    empty = await api.put("/v1/secrets/TOKEN", json={"value": ""})
    assert empty.status_code == 422
    assert empty.json()["detail"][0]["loc"] == ["body", "value"]
