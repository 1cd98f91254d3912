"""The ``limit`` and ``cursor`` query parameters of every list (keyset pagination, newest first;
the queries are ``relay.services.pagination``)."""

from typing import Annotated

from fastapi import Query

Limit = Annotated[int, Query(ge=1, le=200, description="how many items per page")]
Cursor = Annotated[str | None, Query(description="`next_cursor` of the previous page")]
