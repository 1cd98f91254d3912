"""Secrets: encrypted with ``SecretBox`` on write; only names and times ever leave."""

from sqlalchemy import Engine
from sqlmodel import Session, col, select

from relay.core.errors import NotFound
from relay.services.db import in_session
from relay.storage.secrets import SecretBox
from relay.storage.tables import Secret, utcnow


class SecretService:
    """An account's secrets: written encrypted, listed and read by name only."""

    def __init__(self, *, engine: Engine, box: SecretBox) -> None:
        self.engine = engine
        self.box = box

    async def put(self, *, account_id: str, name: str, value: str) -> Secret:
        return await in_session(
            self.engine, put_secret, account_id=account_id, name=name, value=value, box=self.box
        )

    async def list_all(self, *, account_id: str) -> list[Secret]:
        return await in_session(self.engine, list_secrets, account_id=account_id)

    async def get(self, *, account_id: str, name: str) -> Secret:
        return await in_session(self.engine, get_secret, account_id=account_id, name=name)

    async def delete(self, *, account_id: str, name: str) -> None:
        await in_session(self.engine, delete_secret, account_id=account_id, name=name)


def put_secret(session: Session, *, account_id: str, name: str, value: str, box: SecretBox) -> Secret:
    ciphertext = box.encrypt(value)
    secret = session.get(Secret, (account_id, name))
    if secret is None:
        secret = Secret(account_id=account_id, name=name, ciphertext=ciphertext)
    else:
        secret.ciphertext = ciphertext
        secret.updated_at = utcnow()
    session.add(secret)
    session.commit()
    return secret


def list_secrets(session: Session, *, account_id: str) -> list[Secret]:
    statement = select(Secret).where(Secret.account_id == account_id).order_by(col(Secret.name))
    return list(session.exec(statement).all())


def get_secret(session: Session, *, account_id: str, name: str) -> Secret:
    secret = session.get(Secret, (account_id, name))
    if secret is None:
        raise NotFound(f"secret {name!r} does not exist")
    return secret


def delete_secret(session: Session, *, account_id: str, name: str) -> None:
    session.delete(get_secret(session, account_id=account_id, name=name))
    session.commit()
