"""Accounts and their API keys. A key is shown once; only its SHA-256 hash and its first
characters (``prefix``, to list and revoke it by) are stored.

Keys are looked up in the database on every request, never cached, so a key revoked from the
CLI (another process) answers 401 from its very next request.
"""

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from relay.core.errors import Conflict, Invalid, NotFound
from relay.core.ids import readable_id
from relay.services.db import in_session, with_session
from relay.storage.tables import Account, ApiKey, utcnow

KEY_PREFIX = "rk_"
# What `relay accounts list` shows of a key: "rk_" and 8 characters (48 random bits), enough
# to tell an account's keys apart, useless to authenticate with.
SHOWN_CHARS = len(KEY_PREFIX) + 8


class AccountService:
    """Who a request is: the account behind an API key."""

    def __init__(self, *, engine: Engine) -> None:
        self.engine = engine

    async def for_key(self, key: str) -> Account | None:
        """The account a presented key belongs to, or None for an unknown or revoked key."""
        return await in_session(self.engine, find_by_key, key=key)


@dataclass(frozen=True)
class KeyView:
    """A key as listed: never the key, only what identifies it."""

    id: str
    prefix: str | None
    created_at: datetime
    revoked_at: datetime | None

    @property
    def label(self) -> str:
        # Keys made before prefixes were stored can be named by their id (or the whole key).
        return self.prefix or f"id:{self.id}"


@dataclass(frozen=True)
class AccountView:
    id: str
    name: str
    created_at: datetime
    keys: list[KeyView]


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def create_account(engine: Engine, *, name: str) -> tuple[Account, str]:
    """A new account and its first API key, returned in plaintext this one time.
    Raises ``Conflict`` when an account already has that name."""
    name = name.strip()
    if not name:
        raise Invalid("an account needs a name", field="name")
    with Session(engine, expire_on_commit=False) as session:
        existing = session.exec(select(Account).where(Account.name == name)).first()
        if existing is not None:
            raise Conflict(f"an account named {name!r} already exists (id {existing.id})", field="name")
        account = Account(id=readable_id(name, fallback="account"), name=name)
        session.add(account)
        session.flush()  # the account's row first: the key's foreign key points at it
        key = _add_key(session, account_id=account.id)
        try:
            session.commit()
        except IntegrityError:  # another process created the name between our check and commit
            raise Conflict(f"an account named {name!r} already exists", field="name") from None
        return account, key


def list_accounts(engine: Engine) -> list[AccountView]:
    """Every account, oldest first, with its keys (prefixes only)."""
    return with_session(engine, _list_accounts)


def new_key(engine: Engine, *, account_id: str) -> str:
    """Another key for an account (to rotate: make one, switch, revoke the old one)."""
    with Session(engine) as session:
        if session.get(Account, account_id) is None:
            raise NotFound(f"no account with id {account_id!r}", field="account_id")
        key = _add_key(session, account_id=account_id)
        session.commit()
        return key


def revoke_key(engine: Engine, *, ref: str) -> KeyView:
    """Revoke the one key ``ref`` names: its prefix as listed, the whole key, or ``id:<key id>``.
    Revoking a revoked key again is harmless (it stays revoked since the first time)."""
    with Session(engine, expire_on_commit=False) as session:
        key = _find_key(session, ref.strip())
        if key.revoked_at is None:
            key.revoked_at = utcnow()
            session.add(key)
            session.commit()
        return _key_view(key)


def account_for_key(engine: Engine, *, key: str) -> Account | None:
    """The account a presented key belongs to, or None for an unknown or revoked key."""
    with Session(engine, expire_on_commit=False) as session:
        return find_by_key(session, key=key)


def find_by_key(session: Session, *, key: str) -> Account | None:
    statement = (
        select(Account)
        .join(ApiKey, col(ApiKey.account_id) == col(Account.id))
        .where(ApiKey.key_hash == hash_key(key), col(ApiKey.revoked_at).is_(None))
    )
    return session.exec(statement).first()


def dev_account_key(engine: Engine, *, name: str) -> str:
    """A fresh key for the account called ``name``, created if it does not exist (``relay dev``)."""
    with Session(engine) as session:
        existing = session.exec(select(Account).where(Account.name == name)).first()
    if existing is None:
        return create_account(engine, name=name)[1]
    return new_key(engine, account_id=existing.id)


def _list_accounts(session: Session) -> list[AccountView]:
    accounts = session.exec(select(Account).order_by(col(Account.created_at), col(Account.id))).all()
    keys = session.exec(select(ApiKey).order_by(col(ApiKey.created_at), col(ApiKey.id))).all()
    by_account: dict[str, list[KeyView]] = {}
    for key in keys:
        by_account.setdefault(key.account_id, []).append(_key_view(key))
    return [
        AccountView(id=a.id, name=a.name, created_at=a.created_at, keys=by_account.get(a.id, []))
        for a in accounts
    ]


def _find_key(session: Session, ref: str) -> ApiKey:
    if ref.startswith("id:"):
        found = session.get(ApiKey, ref.removeprefix("id:"))
        if found is None:
            raise NotFound(f"no key with id {ref.removeprefix('id:')!r}", field="key")
        return found
    whole = session.exec(select(ApiKey).where(ApiKey.key_hash == hash_key(ref))).first()
    if whole is not None:
        return whole
    if len(ref) > SHOWN_CHARS:  # a whole key, but not one Relay made
        raise NotFound("no such key", field="key")
    if len(ref) < SHOWN_CHARS:
        raise Invalid(
            f"name a key by its prefix as `relay accounts list` shows it ({SHOWN_CHARS} characters), "
            "the whole key, or id:<key id>",
            field="key",
        )
    matches = session.exec(select(ApiKey).where(ApiKey.prefix == ref)).all()
    if not matches:
        raise NotFound(f"no key starts with {ref!r}", field="key")
    if len(matches) > 1:
        ids = ", ".join(f"id:{m.id}" for m in matches)
        raise Conflict(f"{len(matches)} keys start with {ref!r}: name one of {ids}", field="key")
    return matches[0]


def _key_view(key: ApiKey) -> KeyView:
    return KeyView(id=key.id, prefix=key.prefix, created_at=key.created_at, revoked_at=key.revoked_at)


def _add_key(session: Session, *, account_id: str) -> str:
    key = KEY_PREFIX + secrets.token_urlsafe(32)
    session.add(
        ApiKey(
            id=secrets.token_hex(8),
            account_id=account_id,
            key_hash=hash_key(key),
            prefix=key[:SHOWN_CHARS],
        )
    )
    return key
