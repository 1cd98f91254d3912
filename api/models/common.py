"""Shapes shared by every resource: pages of a list, the text a name or an id may hold."""

import re
from datetime import UTC, datetime
from typing import Annotated, Any, Generic, TypeVar

from pydantic import AfterValidator, AwareDatetime, BeforeValidator, StringConstraints
from sqlmodel import SQLModel
from sqlmodel._compat import SQLModelConfig

T = TypeVar("T")

# Request bodies are validated strictly: a JSON value of another type than the document says
# (`"1"` for an integer, `0` for a boolean) is refused (422), not silently converted.
STRICT_INPUT = SQLModelConfig(strict=True)


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

_NUMBER = re.compile(r"\s*[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?\s*")


def _iso_only(value: Any) -> Any:
    # pydantic would read a number (or a numeric string) as Unix time; the document says
    # `format: date-time`, so only an ISO 8601 timestamp is one.
    if isinstance(value, bool | int | float) or (isinstance(value, str) and _NUMBER.fullmatch(value)):
        raise ValueError("must be an ISO 8601 timestamp with its offset, e.g. 2026-01-31T09:00:00Z")
    return value


IsoDateTime = Annotated[datetime, BeforeValidator(_iso_only)]
"""A timestamp given in a request: ISO 8601 text, never a number."""

AwareIsoDateTime = Annotated[AwareDatetime, BeforeValidator(_iso_only)]
"""``IsoDateTime`` that must carry its UTC offset."""


# Names, ids and filters: no control character (C0, DEL, C1). PostgreSQL cannot store NUL in
# text, and the others have no business in an identifier; both databases answer the same 422.
NO_CONTROL = r"^[^\x00-\x1f\x7f-\x9f]*$"
# An id used in a URL path: no control character and no "/" (a path segment cannot hold it).
PATH_SAFE = r"^[^/\x00-\x1f\x7f-\x9f]+$"
# Free text (a template body): newlines and tabs are fine, NUL is not.
NO_NUL = r"^[^\x00]*$"

PlainText = Annotated[str, StringConstraints(pattern=NO_CONTROL)]
"""A name or filter value: any text without control characters."""

PathSafeId = Annotated[str, StringConstraints(pattern=PATH_SAFE, min_length=1)]
"""An id a client gives and later reads back at ``/…/{id}``."""

Text = Annotated[str, StringConstraints(pattern=NO_NUL)]
"""Free text: anything but NUL."""
