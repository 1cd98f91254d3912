"""Sync SQLModel work off the event loop: one session per call, run in a worker thread."""

import asyncio
from collections.abc import Callable
from typing import Concatenate, ParamSpec, TypeVar

from sqlalchemy import Engine
from sqlmodel import Session

P = ParamSpec("P")
T = TypeVar("T")


def with_session(
    engine: Engine, fn: Callable[Concatenate[Session, P], T], /, *args: P.args, **kwargs: P.kwargs
) -> T:
    """``fn(session, ...)`` in a fresh session; rows stay readable after it commits."""
    with Session(engine, expire_on_commit=False) as session:
        return fn(session, *args, **kwargs)


async def in_session(
    engine: Engine, fn: Callable[Concatenate[Session, P], T], /, *args: P.args, **kwargs: P.kwargs
) -> T:
    """``with_session`` in a thread, so a route's event loop never waits on the database."""
    return await asyncio.to_thread(with_session, engine, fn, *args, **kwargs)
