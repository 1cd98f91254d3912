"""Secrets encrypted at rest with Fernet; the first key encrypts, every key decrypts."""

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from sqlalchemy import Engine
from sqlmodel import Session, select

from relay.storage.tables import Secret, utcnow


class SecretsUnavailable(RuntimeError):
    """Raised when no encryption key is configured or a value cannot be decrypted."""


class SecretBox:
    """Encrypts and decrypts secret values with ``RELAY_SECRETS_KEYS``."""

    def __init__(self, keys: list[str]) -> None:
        self._fernet = MultiFernet([Fernet(k.encode()) for k in keys]) if keys else None

    def _require(self) -> MultiFernet:
        if self._fernet is None:
            raise SecretsUnavailable("RELAY_SECRETS_KEYS is not set")
        return self._fernet

    def encrypt(self, value: str) -> str:
        return self._require().encrypt(value.encode()).decode()

    def decrypt(self, token: str) -> str:
        try:
            return self._require().decrypt(token.encode()).decode()
        except InvalidToken as exc:
            raise SecretsUnavailable("a secret cannot be decrypted with the configured keys") from exc

    def rotate(self, token: str) -> str:
        return self._require().rotate(token.encode()).decode()


def new_key() -> str:
    return Fernet.generate_key().decode()


def read_secrets(engine: Engine, box: SecretBox, *, account_id: str) -> dict[str, str]:
    """Every secret of an account, decrypted (for actions only, never for API answers)."""
    with Session(engine) as session:
        rows = session.exec(select(Secret).where(Secret.account_id == account_id)).all()
        return {row.name: box.decrypt(row.ciphertext) for row in rows}


def rotate_all(engine: Engine, box: SecretBox) -> int:
    """Re-encrypt every secret with the first key; returns how many were rewritten."""
    with Session(engine) as session:
        rows = session.exec(select(Secret)).all()
        for row in rows:
            row.ciphertext = box.rotate(row.ciphertext)
            row.updated_at = utcnow()
            session.add(row)
        session.commit()
        return len(rows)
