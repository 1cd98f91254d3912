"""Run webhooks: where an account is told its runs ended. The secret goes in, never out."""

from typing import Annotated

import httpx
from pydantic import AfterValidator
from sqlmodel import Field, SQLModel

from api.models.common import UTCDateTime
from relay.services.webhooks import EVENT_TYPES

WEBHOOK_NAME = r"^[A-Za-z0-9][A-Za-z0-9_.-]*$"


def _http_url(value: str) -> str:
    try:
        url = httpx.URL(value)
    except httpx.InvalidURL as exc:
        raise ValueError(f"not a valid URL: {exc}") from None
    if url.scheme not in ("http", "https") or not url.host:
        raise ValueError("must be an absolute http:// or https:// URL")
    return value


def _event_types(values: list[str]) -> list[str]:
    unknown = [v for v in values if v not in EVENT_TYPES]
    if unknown:
        raise ValueError(f"unknown event type {unknown[0]!r}: use {', '.join(EVENT_TYPES)}")
    return list(dict.fromkeys(values))  # duplicates dropped, order kept


class WebhookWrite(SQLModel):
    url: Annotated[str, AfterValidator(_http_url)] = Field(
        max_length=2000, description="where Relay POSTs `{type, run}` when a matching run ends"
    )
    events: Annotated[list[str], AfterValidator(_event_types)] = Field(
        min_length=1, description=f"the run endings to send: {', '.join(EVENT_TYPES)}"
    )
    secret: str = Field(
        min_length=16,
        max_length=500,
        description="signs each notification (`Relay-Signature`); stored encrypted, never returned",
    )


class WebhookPublic(SQLModel):
    name: str
    url: str
    events: list[str]
    created_at: UTCDateTime
    updated_at: UTCDateTime
