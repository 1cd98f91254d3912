"""Accounts and their API keys. A key is shown once; only its SHA-256 hash is stored."""

import hashlib
import secrets

from sqlalchemy import Engine
from sqlmodel import Session, col, select

from relay.core.ids import readable_id
from relay.services.db import in_session
from relay.storage.tables import Account, ApiKey

KEY_PREFIX = "rk_"


class AccountService:
    """Who a request is: the account behind an API key."""

    def __init__(self, *, engine: Engine) -> None:
        self.engine = engine

    async def for_key(self, key: str) -> Account | None:
        """The account a presented key belongs to, or None for an unknown key."""
        return await in_session(self.engine, find_by_key, key=key)


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def create_account(engine: Engine, *, name: str) -> tuple[Account, str]:
    """A new account and its first API key, returned in plaintext this one time."""
    with Session(engine, expire_on_commit=False) as session:
        account = Account(id=readable_id(name, fallback="account"), name=name)
        session.add(account)
        key = _add_key(session, account_id=account.id)
        session.commit()
        return account, key


def account_for_key(engine: Engine, *, key: str) -> Account | None:
    """The account a presented key belongs to, or None for an unknown key."""
    with Session(engine, expire_on_commit=False) as session:
        return find_by_key(session, key=key)


def find_by_key(session: Session, *, key: str) -> Account | None:
    statement = (
        select(Account)
        .join(ApiKey, col(ApiKey.account_id) == col(Account.id))
        .where(ApiKey.key_hash == hash_key(key))
    )
    return session.exec(statement).first()


def _add_key(session: Session, *, account_id: str) -> str:
    key = KEY_PREFIX + secrets.token_urlsafe(32)
    session.add(ApiKey(id=secrets.token_hex(8), account_id=account_id, key_hash=hash_key(key)))
    return key
