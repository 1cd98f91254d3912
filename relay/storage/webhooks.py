"""Webhook rows: an account's run notifications, their signing secret encrypted at rest."""

from sqlmodel import Session, col, select

from relay.core.errors import NotFound
from relay.storage.secrets import SecretBox
from relay.storage.tables import Webhook, utcnow


def put_webhook(
    session: Session, *, account_id: str, name: str, url: str, events: list[str], secret: str, box: SecretBox
) -> Webhook:
    """Create or replace a webhook; the secret is encrypted before it reaches the row."""
    ciphertext = box.encrypt(secret)
    webhook = session.get(Webhook, (account_id, name))
    if webhook is None:
        webhook = Webhook(
            account_id=account_id, name=name, url=url, events=events, secret_ciphertext=ciphertext
        )
    else:
        webhook.url, webhook.events, webhook.secret_ciphertext = url, events, ciphertext
        webhook.updated_at = utcnow()
    session.add(webhook)
    session.commit()
    return webhook


def list_webhooks(session: Session, *, account_id: str) -> list[Webhook]:
    statement = select(Webhook).where(Webhook.account_id == account_id).order_by(col(Webhook.name))
    return list(session.exec(statement).all())


def get_webhook(session: Session, *, account_id: str, name: str) -> Webhook:
    webhook = session.get(Webhook, (account_id, name))
    if webhook is None:
        raise NotFound(f"webhook {name!r} does not exist")
    return webhook


def delete_webhook(session: Session, *, account_id: str, name: str) -> None:
    session.delete(get_webhook(session, account_id=account_id, name=name))
    session.commit()


def subscribed(session: Session, *, account_id: str, event_type: str) -> list[str]:
    """The names of the account's webhooks that want ``event_type``. An account has a handful
    of webhooks: filtering in Python keeps the JSON column portable (SQLite and PostgreSQL)."""
    return [w.name for w in list_webhooks(session, account_id=account_id) if event_type in w.events]


def rotate_webhook_secrets(session: Session, *, box: SecretBox) -> int:
    """Re-encrypt every webhook secret with the first key (``relay secrets rotate``)."""
    webhooks = session.exec(select(Webhook)).all()
    for webhook in webhooks:
        webhook.secret_ciphertext = box.rotate(webhook.secret_ciphertext)
        session.add(webhook)
    session.commit()
    return len(webhooks)
