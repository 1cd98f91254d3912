"""Large payloads kept outside Temporal history, addressed by their content hash."""

import hashlib
from datetime import datetime

from sqlalchemy import Engine, LargeBinary
from sqlalchemy.exc import IntegrityError
from sqlmodel import Column, Field, Session, SQLModel

from relay.storage.tables import utcnow


class PayloadBlob(SQLModel, table=True):
    key: str = Field(primary_key=True)  # sha256 of the content: writing twice is harmless
    data: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    size: int
    created_at: datetime = Field(default_factory=utcnow)


def put_blob(engine: Engine, data: bytes) -> str:
    key = hashlib.sha256(data).hexdigest()
    with Session(engine) as session:
        if session.get(PayloadBlob, key) is None:
            session.add(PayloadBlob(key=key, data=data, size=len(data)))
            try:
                session.commit()
            except IntegrityError:  # another process stored the same content first
                session.rollback()
    return key


def get_blob(engine: Engine, key: str) -> bytes:
    with Session(engine) as session:
        row = session.get(PayloadBlob, key)
        if row is None:
            raise KeyError(f"payload {key} is missing from the payload store")
        return row.data
