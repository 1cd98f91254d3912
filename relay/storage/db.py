"""Engine creation for SQLite (the default) and PostgreSQL."""

import threading
import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Engine, MetaData, event
from sqlmodel import SQLModel, create_engine


def create_db_engine(url: str) -> Engine:
    """An engine for ``url``; a SQLite file's folder is created on the way."""
    if url.startswith("sqlite"):
        path = url.split("///", 1)[-1]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})
        event.listen(engine, "connect", _sqlite_pragmas)
        _WRITERS[engine] = threading.RLock()
        return engine
    engine = create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=20)
    event.listen(engine, "connect", _postgres_utc)
    return engine


# One lock per SQLite engine, made with it and gone with it; taken around the hot write
# transactions (event intake).
_WRITERS: "weakref.WeakKeyDictionary[Engine, threading.RLock]" = weakref.WeakKeyDictionary()


@contextmanager
def writes_serialised(engine: Engine) -> Iterator[None]:
    """Around a write transaction: on SQLite, one at a time in this process.

    SQLite has one writer at a time; threads that collide wait in its busy handler, which
    sleeps in steps of up to 100 ms. Queued on a lock they go one after another at once.
    PostgreSQL takes row locks and has no lock here.
    """
    lock = _WRITERS.get(engine)
    if lock is None:
        yield
        return
    with lock:
        yield


def _postgres_utc(dbapi_connection, _record) -> None:  # DB-API objects
    # Timestamps come back in UTC whatever the server's time zone (the session's decides).
    with dbapi_connection.cursor() as cursor:
        cursor.execute("SET TIME ZONE 'UTC'")
    dbapi_connection.commit()


def _sqlite_pragmas(dbapi_connection, _record) -> None:  # DB-API objects
    # WAL lets the API and the worker processes read while one of them writes.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    # In WAL mode NORMAL skips the fsync at each commit (one per checkpoint instead): a
    # killed process loses nothing; only a power cut may lose the last commits. It halves
    # the cost of an event's write transactions.
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def metadata() -> MetaData:
    """Every Relay table as the models define it: what migrations are compared against."""
    import relay.storage.blobs  # noqa: F401 - registers the tables on the metadata
    import relay.storage.jobs  # noqa: F401
    import relay.storage.schedules  # noqa: F401
    import relay.storage.subscriptions  # noqa: F401
    import relay.storage.tables  # noqa: F401

    return SQLModel.metadata
