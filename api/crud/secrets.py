"""Secrets: encrypted with ``SecretBox`` on write; only names and times ever leave."""

from sqlmodel import Session, col, select

from relay.core.errors import NotFound
from relay.storage.secrets import SecretBox
from relay.storage.tables import Secret, utcnow


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
