"""Keyset pagination, newest first: a cursor is the (created_at, id) of the last row shown."""

import base64
import binascii
import json
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import and_, or_
from sqlmodel import col
from sqlmodel.sql.expression import SelectOfScalar

from relay.core.errors import Invalid

Row = TypeVar("Row")


def encode(created_at: datetime, row_id: str) -> str:
    raw = json.dumps([created_at.isoformat(), row_id]).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode(cursor: str) -> tuple[datetime, str]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        created_at, row_id = json.loads(raw)
        return datetime.fromisoformat(created_at), str(row_id)
    except (binascii.Error, ValueError, TypeError) as exc:
        raise Invalid("cursor is not one this API returned", field="cursor") from exc


def newest_first(
    statement: SelectOfScalar[Row], *, created_at: Any, row_id: Any, cursor: str | None, limit: int
) -> SelectOfScalar[Row]:
    """``statement`` ordered newest first, after ``cursor``, one row more than ``limit``."""
    if cursor is not None:
        when, last_id = decode(cursor)
        statement = statement.where(
            or_(col(created_at) < when, and_(col(created_at) == when, col(row_id) < last_id))
        )
    return statement.order_by(col(created_at).desc(), col(row_id).desc()).limit(limit + 1)


def split(
    rows: Sequence[Row], *, limit: int, key: Callable[[Row], tuple[datetime, str]]
) -> tuple[list[Row], str | None]:
    """The page and the cursor for the next one (None on the last page)."""
    items = list(rows[:limit])
    if len(rows) <= limit:
        return items, None
    created_at, row_id = key(items[-1])
    return items, encode(created_at, row_id)
