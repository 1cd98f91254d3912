"""``http_request``: call any HTTP API; auth comes from ``{{ secrets.NAME }}`` in headers.

Every request carries ``Idempotency-Key: <run_id>:<step_id>``, the same on each retry of the
step, so an API that honours it does the work once (SPEC §10); a step's own header wins.

The URL comes from a definition or event data, so it is untrusted: the request goes through
``activities.net_guard`` (no loopback, private, link-local or metadata address, after DNS and on
every redirect, unless ``RELAY_HTTP_ALLOW`` lists it), and a refused address fails the step
for good, naming the rule."""

import asyncio
import json
import ssl
from datetime import timedelta
from typing import Any, Literal

import httpx
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from activities.context import ActionContext
from activities.errors import for_http_status, permanent, transient
from activities.net_guard import AddressRefused, AddressRule, guarded_client
from activities.registry import action

# The request's own timeout always ends before the activity's start-to-close timeout.
MAX_TIMEOUT = 3600.0
# Temporal refuses payloads over 2 MB; a body this large would fail the run later, less clearly.
MAX_BODY_BYTES = 1024 * 1024
EXCERPT_CHARS = 200
IDEMPOTENCY_HEADER = "Idempotency-Key"

Method = Literal["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"]
QueryValue = str | int | float | bool | None
# status, lower-cased headers, raw body
Response = tuple[int, dict[str, str], bytes]


class HttpRequestInput(BaseModel):
    model_config = ConfigDict(populate_by_name=True)

    method: Method = "GET"
    url: str = Field(description="http:// or https:// URL")
    headers: dict[str, str] = Field(
        default_factory=dict,
        description='e.g. {"Authorization": "Bearer {{ secrets.CRM_TOKEN }}"}',
    )
    query: dict[str, QueryValue | list[QueryValue]] = Field(
        default_factory=dict, description="query string parameters"
    )
    json_: Any = Field(None, alias="json", description="a JSON request body")
    body: str | None = Field(None, description="a raw request body (use json for JSON)")
    timeout: float = Field(30.0, gt=0, le=MAX_TIMEOUT, description="seconds to wait for the answer")

    @field_validator("method", mode="before")
    @classmethod
    def _upper(cls, value: Any) -> Any:
        return value.upper() if isinstance(value, str) else value

    @field_validator("url")
    @classmethod
    def _http_url(cls, value: str) -> str:
        try:
            url = httpx.URL(value)
        except httpx.InvalidURL as exc:
            raise ValueError(f"not a valid URL: {exc}") from None
        if url.scheme not in ("http", "https") or not url.host:
            raise ValueError("must be an absolute http:// or https:// URL")
        return value

    @model_validator(mode="after")
    def _one_body(self) -> "HttpRequestInput":
        if self.json_ is not None and self.body is not None:
            raise ValueError("give either json or body, not both")
        return self


class HttpRequestOutput(BaseModel):
    status: int
    headers: dict[str, str]
    body: Any = Field(description="parsed when the response is JSON, else text")


@action(
    "http_request",
    input=HttpRequestInput,
    output=HttpRequestOutput,
    description="Call an HTTP API. Non-2xx answers fail the step: 4xx for good "
    "(except 408/425/429), 5xx and network errors are retried. Loopback, private, link-local "
    "and cloud metadata addresses are refused unless the operator allows them.",
    timeout=timedelta(seconds=MAX_TIMEOUT + 60),
    # No heartbeat of its own: the run's default (10 s) notices a dead worker sooner.
)
class HttpRequest:
    """Constructed by the worker with the operator's address rule (``RELAY_HTTP_ALLOW``)."""

    def __init__(self, *, rule: AddressRule) -> None:
        self._rule = rule
        # Built once: loading the CA bundle for every request would cost more than the request.
        self._tls: ssl.SSLContext = httpx.create_ssl_context()

    async def __call__(self, data: HttpRequestInput, ctx: ActionContext) -> HttpRequestOutput:
        # A client per call: its connections are checked by the rule and closed with the step.
        async with guarded_client(self._rule, verify=self._tls) as http:
            return await _call(http, data, ctx)


async def _call(http: httpx.AsyncClient, data: HttpRequestInput, ctx: ActionContext) -> HttpRequestOutput:
    what = f"{data.method} {data.url}"
    request = http.build_request(
        data.method,
        data.url,
        headers=_with_idempotency_key(data.headers, ctx.idempotency_key),
        params=data.query or None,
        json=data.json_,
        content=data.body,
        timeout=data.timeout,
    )
    try:
        # The whole exchange, not each read, is bounded by `timeout`.
        async with asyncio.timeout(data.timeout):
            status, headers, raw = await _send(http, request)
    except AddressRefused as exc:
        raise permanent(f"{what} refused: {exc}", kind="AddressRefused") from None
    except (httpx.UnsupportedProtocol, httpx.LocalProtocolError, httpx.TooManyRedirects) as exc:
        raise permanent(f"{what} failed: {exc}", kind="InvalidRequest") from None
    except (TimeoutError, httpx.TimeoutException):
        raise transient(f"{what} got no answer within {data.timeout:g}s", kind="Timeout") from None
    except httpx.RequestError as exc:
        raise transient(f"{what} failed: {type(exc).__name__}: {exc}", kind="NetworkError") from None

    body = _decode(raw, headers)
    if status >= 400:
        reason = httpx.codes.get_reason_phrase(status)
        excerpt = _excerpt(raw)
        raise for_http_status(
            status,
            f"{what} answered {status} {reason}" + (f": {excerpt}" if excerpt else ""),
            retry_after_header=headers.get("retry-after"),
        )
    return HttpRequestOutput(status=status, headers=headers, body=body)


def _with_idempotency_key(headers: dict[str, str], key: str) -> dict[str, str]:
    if any(name.lower() == IDEMPOTENCY_HEADER.lower() for name in headers):
        return headers
    return {**headers, IDEMPOTENCY_HEADER: key}


async def _send(http: httpx.AsyncClient, request: httpx.Request) -> Response:
    response = await http.send(request, stream=True, follow_redirects=True)
    try:
        chunks: list[bytes] = []
        size = 0
        async for chunk in response.aiter_bytes():
            size += len(chunk)
            if size > MAX_BODY_BYTES:
                raise permanent(
                    f"{request.method} {request.url} answered more than "
                    f"{MAX_BODY_BYTES // 1024} KiB; step outputs must stay small",
                    kind="ResponseTooLarge",
                )
            chunks.append(chunk)
    finally:
        await response.aclose()
    headers = {k.lower(): v for k, v in _merged(response.headers).items()}
    return response.status_code, headers, b"".join(chunks)


def _merged(headers: httpx.Headers) -> dict[str, str]:
    merged: dict[str, str] = {}
    for key, value in headers.multi_items():
        merged[key] = f"{merged[key]}, {value}" if key in merged else value
    return merged


def _decode(raw: bytes, headers: dict[str, str]) -> Any:
    content_type = headers.get("content-type", "").split(";")[0].strip().lower()
    text = raw.decode(_charset(headers) or "utf-8", errors="replace")
    if content_type == "application/json" or content_type.endswith("+json"):
        try:
            return json.loads(text) if text.strip() else None
        except ValueError:
            return text
    return text


def _charset(headers: dict[str, str]) -> str | None:
    for part in headers.get("content-type", "").split(";")[1:]:
        key, _, value = part.strip().partition("=")
        if key.lower() == "charset" and value:
            try:
                "".encode(value.strip('"'))
            except LookupError:
                return None
            return value.strip('"')
    return None


def _excerpt(raw: bytes) -> str:
    text = " ".join(raw.decode("utf-8", errors="replace").split())
    return text if len(text) <= EXCERPT_CHARS else text[:EXCERPT_CHARS] + "…"
