"""``GET /v1/account`` and key revocation seen by the API in-process (SQLite and PostgreSQL)."""

import httpx
from fastapi import FastAPI
from sqlalchemy import Engine
from sqlmodel import Session

from relay.services.accounts import account_for_key, dev_account_key, hash_key, list_accounts, revoke_key
from relay.storage.tables import Account, ApiKey
from tests.support.stack import api_client


async def test_the_caller_learns_its_own_account(
    api: httpx.AsyncClient, other_api: httpx.AsyncClient, acme: tuple[Account, str]
) -> None:
    mine = await api.get("/v1/account")

    assert mine.status_code == 200, mine.text
    assert mine.json() == {"id": acme[0].id, "name": "Acme Corp"}
    assert (await other_api.get("/v1/account")).json()["name"] == "Globex"
    assert (await api.get("/v1/account", headers={"Authorization": ""})).status_code == 401


async def test_a_revoked_key_is_refused_from_its_next_request(
    app: FastAPI, api: httpx.AsyncClient, acme: tuple[Account, str], db: Engine
) -> None:
    assert (await api.get("/v1/account")).status_code == 200

    revoke_key(db, ref=acme[1][:11])

    refused = await api.get("/v1/account")
    assert refused.status_code == 401 and refused.json()["detail"] == "invalid API key"
    assert (await api.get("/v1/workflows")).status_code == 401


async def test_a_key_made_before_prefixes_is_revoked_by_its_id(app: FastAPI, db: Engine) -> None:
    with Session(db) as session:
        session.add(Account(id="old-1", name="Old"))
        session.commit()
        session.add(ApiKey(id="0123abcd", account_id="old-1", key_hash=hash_key("rk_legacy-key")))
        session.commit()
    [old] = [a for a in list_accounts(db) if a.id == "old-1"]
    assert [k.label for k in old.keys] == ["id:0123abcd"]

    async with api_client(app, "rk_legacy-key") as legacy:
        assert (await legacy.get("/v1/account")).status_code == 200
        revoke_key(db, ref="id:0123abcd")
        assert (await legacy.get("/v1/account")).status_code == 401


def test_relay_dev_reuses_its_account_when_its_key_was_revoked(db: Engine) -> None:
    first = dev_account_key(db, name="dev")
    revoke_key(db, ref=first)

    second = dev_account_key(db, name="dev")

    assert account_for_key(db, key=first) is None
    account = account_for_key(db, key=second)
    assert account is not None and account.name == "dev"
    assert [a.name for a in list_accounts(db)].count("dev") == 1
