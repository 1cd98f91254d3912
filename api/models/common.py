"""Shapes shared by every resource: pages of a list."""

from datetime import UTC, datetime
from typing import Annotated, Generic, TypeVar

from pydantic import AfterValidator
from sqlmodel import SQLModel

T = TypeVar("T")


class Page(SQLModel, Generic[T]):
    """One page of a list, newest first; pass ``next_cursor`` as ``cursor`` for the next one."""

    items: list[T]
    next_cursor: str | None = None


class Items(SQLModel, Generic[T]):
    """A short list returned whole."""

    items: list[T]


def _utc(moment: datetime) -> datetime:
    # SQLite hands datetimes back naive; Relay writes them in UTC.
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


UTCDateTime = Annotated[datetime, AfterValidator(_utc)]
"""A timestamp that is always answered with its UTC offset."""
