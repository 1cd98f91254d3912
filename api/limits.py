"""Input limits every request meets before any route sees it (SPEC §10).

- Size: a body over the limit answers 413 naming the limit, decided from ``Content-Length``
  before anything is read, and for a body without one (chunked) while it is read: at most the
  limit is ever held in memory, so a 100 MiB body costs no more than a 1 MiB one.
  ``RELAY_MAX_BODY_BYTES`` (1 MiB) for every request but those that carry a definition or
  Temporal payloads, which get ``RELAY_MAX_DEFINITION_BYTES`` (8 MiB).
- Nesting: a JSON body nested more than ``MAX_DEPTH`` levels inside its top-level object
  answers 400, found by a scan of the raw bytes (strings skipped) before it is parsed: a deep
  document never reaches a recursive parser, validator or serializer. A lone UTF-16 surrogate
  (``"\\ud800"``: not text, it could be stored but never answered) is a 400 too.
- The URL: a control character in the path or the query answers 422 (ids, names and filters
  never hold one; PostgreSQL cannot even compare text with NUL); an encoded "/" (``%2F``) in the
  path answers 404, as no id holds "/" (event ids with "/" are refused at intake).
"""

import asyncio
import json
import re
import time
from collections.abc import Awaitable, Callable
from itertools import accumulate, count
from operator import sub
from typing import Any
from urllib.parse import unquote_plus

from fastapi import FastAPI
from starlette.datastructures import Headers
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from relay.core.settings import Settings

MAX_DEPTH = 64
# Levels inside the top-level object or array: `{"data": <64 levels>}` is fine.
MAX_BODY_DEPTH = MAX_DEPTH + 1
# After a 413 the rest of the body is read and dropped for this long, so an HTTP/1.1 client
# still sending it gets the answer instead of a reset connection; then the connection closes.
DRAIN_SECONDS = 5.0
# Bodies larger than this are scanned for nesting in a worker thread, off the event loop.
THREAD_SCAN_BYTES = 64 * 1024

# Requests that carry a definition (create, replace, test a workflow) or Temporal payloads.
_LARGE = (
    ("POST", re.compile(r"^/v1/workflows/?$")),
    ("PUT", re.compile(r"^/v1/workflows/[^/]+/?$")),
    ("POST", re.compile(r"^/v1/workflows/[^/]+/test/?$")),
    ("POST", re.compile(r"^/codec/(en|de)code/?$")),
)

_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
# A high surrogate escape not followed by a low one, or a low one alone.
_SURROGATE = re.compile(rb"\\u[dD][89abAB][0-9a-fA-F]{2}(?!\\u[dD][c-fC-F])|\\u[dD][c-fC-F][0-9a-fA-F]{2}")
_JSON_STRING = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)
_BRACKETS = b"[]{}"
_NOT_BRACKETS = bytes(b for b in range(256) if b not in _BRACKETS)
_AS_STEPS = bytes.maketrans(b"[{]}", b"\x02\x02\x00\x00")


def json_depth(body: bytes) -> int:
    """How deep ``body`` (JSON text) nests: ``{}`` is 1, ``{"a": []}`` 2. Linear, no parsing,
    no recursion; brackets inside strings do not count."""
    steps = _JSON_STRING.sub(b"", body).translate(_AS_STEPS, _NOT_BRACKETS)
    if not steps:
        return 0
    # An opening bracket is 2 and a closing one 0; the depth after n brackets is their sum - n.
    return max(map(sub, accumulate(steps), count(1)))


def _mib(size: int) -> str:
    return f"{size / 2**20:g} MiB" if size >= 2**20 else f"{size / 2**10:g} KiB"


class InputLimits:
    """ASGI middleware enforcing the size and nesting limits on every HTTP request."""

    def __init__(self, app: ASGIApp, *, max_body_bytes: int, max_definition_bytes: int) -> None:
        self.app = app
        self.default = (max_body_bytes, "RELAY_MAX_BODY_BYTES")
        self.large = (max_definition_bytes, "RELAY_MAX_DEFINITION_BYTES")

    def limit_for(self, method: str, path: str) -> tuple[int, str]:
        """The byte limit of a request, and the setting that holds it."""
        if any(method == m and pattern.match(path) for m, pattern in _LARGE):
            return self.large
        return self.default

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        refusal = _url_refusal(scope)
        if refusal is not None:
            await refusal(scope, receive, send)
            return
        limit, setting = self.limit_for(scope["method"], scope["path"])
        headers = Headers(scope=scope)
        declared = headers.get("content-length")
        if declared is not None and declared.isdigit() and int(declared) > limit:
            await _refuse_size(limit, setting, receive, send, drain=True)
            return
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return  # the client left; nothing to answer
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > limit:
                await _refuse_size(limit, setting, receive, send, drain=message.get("more_body", False))
                return
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        body = b"".join(chunks)
        if body and _is_json(headers.get("content-type")):
            depth = await _depth(body)
            if depth > MAX_BODY_DEPTH:
                answer = JSONResponse(
                    {
                        "detail": f"the JSON body nests {depth - 1} levels inside its top-level "
                        f"value; the limit is {MAX_DEPTH}"
                    },
                    status_code=400,
                )
                await answer(scope, receive, send)
                return
            lone = _SURROGATE.search(body) is not None and await asyncio.to_thread(_has_lone_surrogate, body)
            if lone:
                answer = JSONResponse(
                    {
                        "detail": "the JSON body holds a lone UTF-16 surrogate escape (\\ud800-\\udfff), "
                        "which is not text"
                    },
                    status_code=400,
                )
                await answer(scope, receive, send)
                return
        await self.app(scope, _replay(body, receive), send)


def _url_refusal(scope: Scope) -> JSONResponse | None:
    raw_path: bytes = scope.get("raw_path") or scope["path"].encode()
    if b"%2f" in raw_path.lower():
        return JSONResponse({"detail": "no such resource: ids never hold '/'"}, status_code=404)
    if _CONTROL.search(scope["path"]):
        return JSONResponse(
            {"detail": "the URL path holds a control character; ids and names never do", "field": "path"},
            status_code=422,
        )
    query = unquote_plus(scope.get("query_string", b"").decode("latin-1"), errors="replace")
    if _CONTROL.search(query):
        return JSONResponse(
            {"detail": "the query string holds a control character; filters never do", "field": "query"},
            status_code=422,
        )
    return None


def _has_lone_surrogate(body: bytes) -> bool:
    """Whether a string (or key) anywhere in the JSON ``body`` holds a lone surrogate."""
    try:
        stack: list[Any] = [json.loads(body)]
    except ValueError:
        return False  # not JSON: FastAPI answers it
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            try:
                item.encode("utf-8")
            except UnicodeEncodeError:
                return True
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return False


async def _depth(body: bytes) -> int:
    if body.count(b"[") + body.count(b"{") <= MAX_BODY_DEPTH:
        return 0  # cannot nest deeper than it has brackets: skip the scan
    if len(body) > THREAD_SCAN_BYTES:
        return await asyncio.to_thread(json_depth, body)
    return json_depth(body)


def _is_json(content_type: str | None) -> bool:
    # FastAPI parses a body without a content type as JSON too.
    if not content_type:
        return True
    kind = content_type.split(";", 1)[0].strip().lower()
    return kind == "application/json" or kind.endswith("+json")


def _replay(body: bytes, receive: Receive) -> Callable[[], Awaitable[Message]]:
    """A ``receive`` that hands the app the body already read, then the client's own messages
    (a disconnect)."""
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replay


async def _refuse_size(limit: int, setting: str, receive: Receive, send: Send, *, drain: bool) -> None:
    if drain:
        await _drain(receive)
    detail = f"the request body is larger than {limit} bytes ({_mib(limit)}), the limit set by {setting}"
    body = JSONResponse({"detail": detail}, status_code=413).body
    headers: list[Any] = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(body)).encode()),
        (b"connection", b"close"),
    ]
    await send({"type": "http.response.start", "status": 413, "headers": headers})
    await send({"type": "http.response.body", "body": body})


async def _drain(receive: Receive) -> None:
    """Read and drop the rest of the body for at most ``DRAIN_SECONDS``; nothing is kept."""
    deadline = time.monotonic() + DRAIN_SECONDS
    try:
        async with asyncio.timeout(DRAIN_SECONDS):
            while time.monotonic() < deadline:
                message = await receive()
                if message["type"] != "http.request" or not message.get("more_body", False):
                    return
    except TimeoutError:
        return


def install(app: FastAPI, settings: Settings) -> None:
    """Add the limits as the outermost middleware of ``app`` (``Settings`` give the sizes)."""
    app.add_middleware(
        InputLimits,
        max_body_bytes=settings.max_body_bytes,
        max_definition_bytes=settings.max_definition_bytes,
    )
