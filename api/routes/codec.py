"""``/codec/encode`` and ``/codec/decode``: Relay's payload codec as a Temporal codec server.

Two kinds of caller. An API key (``Authorization: Bearer``) decodes its own account's
payloads only: a payload of another account, or a claim-check reference to one, answers 404.
An operator decodes every payload: ``/codec/login`` exchanges ``RELAY_CODEC_OPERATOR_TOKEN``
for an HttpOnly cookie that the Temporal Web UI sends with its codec requests when its
"include cross-origin credentials" switch is on. Everyone else gets 401 and the UI shows the
payloads as stored (ciphertext).

Protocol (the Web UI's): ``POST {payloads: [...]}`` → ``{payloads: [...]}``, same order and
length. One payload the caller may not read fails the whole request, naming its index.
"""

import base64
import binascii
import html
import re
from typing import Annotated, Any
from urllib.parse import parse_qs

from fastapi import APIRouter, Depends, FastAPI, HTTPException, Request, status
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.security import HTTPAuthorizationCredentials
from pydantic import BaseModel, ConfigDict, Field
from starlette.middleware.cors import CORSMiddleware
from starlette.types import ASGIApp, Receive, Scope, Send
from temporalio.api.common.v1 import Payload

from api.deps import ServicesDep, bearer
from api.openapi import BEYOND_SCHEMA
from relay.core.settings import Settings
from relay.services.codec import PayloadNotFound, UndecodablePayload
from relay.services.codec_session import COOKIE, LIFETIME, new_session, session_valid, token_matches

PREFIX = "/codec"
# What the Web UI sends: its token (when "pass access token" is on), the namespace, JSON.
CORS_HEADERS = ("Authorization", "Content-Type", "X-Namespace")
MAX_LOGIN_BODY = 4096

router = APIRouter(prefix=PREFIX, tags=["codec"])


# Standard or URL-safe base64, padded or not (protobuf JSON accepts both); see ``_b64``.
BASE64 = r"^(?:[A-Za-z0-9+/_-]{4})*(?:[A-Za-z0-9+/_-]{2}(?:==)?|[A-Za-z0-9+/_-]{3}=?)?$"
# In the document as a pattern; enforced by ``_b64``, whose answer names the field.
Base64 = Annotated[str, Field(json_schema_extra={"pattern": BASE64})]


class CodecPayload(BaseModel):
    """One Temporal payload in the codec-server JSON format (protobuf JSON)."""

    model_config = ConfigDict(strict=True)

    metadata: dict[str, Base64] = Field(default_factory=dict, description="values base64-encoded")
    data: Base64 = Field("", description="base64-encoded")


class CodecPayloads(BaseModel):
    model_config = ConfigDict(strict=True)

    payloads: list[CodecPayload] = Field(default_factory=list)


class Caller(BaseModel):
    """Who calls the codec: an account (its key) or an operator (``account_id`` None)."""

    account_id: str | None


async def codec_caller(
    request: Request,
    services: ServicesDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> Caller:
    """An account by its API key, else an operator by the session cookie, else 401."""
    if credentials is not None:
        account = await services.accounts.for_key(credentials.credentials)
        if account is not None:
            return Caller(account_id=account.id)
    if session_valid(services.settings.codec_operator_token, request.cookies.get(COOKIE)):
        return Caller(account_id=None)
    why = "invalid API key" if credentials is not None else "missing API key"
    raise HTTPException(
        status.HTTP_401_UNAUTHORIZED,
        detail=f"{why}: send `Authorization: Bearer <api key>`, or log in as operator at {PREFIX}/login",
        headers={"WWW-Authenticate": "Bearer"},
    )


CallerDep = Annotated[Caller, Depends(codec_caller)]
Responses = dict[int | str, dict[str, Any]]
REFUSED: Responses = {
    status.HTTP_401_UNAUTHORIZED: {"description": "no valid API key and no operator session"}
}
BAD_BODY: Responses = {
    status.HTTP_422_UNPROCESSABLE_CONTENT: {
        "description": "a field is not valid base64, or a payload does not decrypt with the "
        "configured keys (the message names which)",
        BEYOND_SCHEMA: True,
    }
}


@router.post("/encode", responses={**REFUSED, **BAD_BODY})
async def encode(body: CodecPayloads, caller: CallerDep, services: ServicesDep) -> CodecPayloads:
    """Encode payloads as a worker would for the caller's account (an operator's stay
    unlabelled): label, encrypt with the first key, claim check."""
    return _to_json(await services.codec.encode(_from_json(body), account_id=caller.account_id))


@router.post(
    "/decode",
    responses={
        **REFUSED,
        **BAD_BODY,
        status.HTTP_404_NOT_FOUND: {
            "description": "a payload is not of the caller's account, or "
            "its claim-checked data is gone (`detail` names its index)"
        },
    },  # fmt: skip
)
async def decode(body: CodecPayloads, caller: CallerDep, services: ServicesDep) -> CodecPayloads:
    """Decode payloads taken from a workflow history into the payloads the workflow saw."""
    # Answered here, not by the app's error handlers: the codec router also runs on its own.
    try:
        return _to_json(await services.codec.decode(_from_json(body), account_id=caller.account_id))
    except PayloadNotFound as exc:
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail=str(exc)) from None
    except UndecodablePayload as exc:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, detail=str(exc)) from None


LOGIN_PAGE = """<!doctype html>
<html><head><meta charset="utf-8"><title>Relay codec: operator login</title></head>
<body style="font-family: sans-serif; max-width: 40em; margin: 3em auto">
<h1>Decode payloads in the Temporal Web UI</h1>
<p>{message}</p>
<form method="post" action="{action}">
<label>Operator token <input type="password" name="token" autocomplete="off" autofocus></label>
<button type="submit">Log in</button>
</form>
<script>
// relay dev's one-click link carries the token after '#': browsers never send it to a server.
const token = new URLSearchParams(location.hash.slice(1)).get("token");
if (token) {{
  history.replaceState(null, "", location.pathname);
  document.querySelector("input[name=token]").value = token;
  document.forms[0].submit();
}}
</script>
</body></html>
"""


@router.get("/login", response_class=HTMLResponse, include_in_schema=False)
async def login_page(services: ServicesDep) -> HTMLResponse:
    if not services.settings.codec_operator_token:
        message = "Operator login is off: set RELAY_CODEC_OPERATOR_TOKEN on the API."
        return HTMLResponse(_page(message), status_code=status.HTTP_404_NOT_FOUND)
    return HTMLResponse(_page("Enter the operator token (RELAY_CODEC_OPERATOR_TOKEN)."))


@router.post("/login", include_in_schema=False)
async def login(request: Request, services: ServicesDep) -> Response:
    """Form field ``token``: the right one sets the session cookie and goes to the Web UI."""
    settings = services.settings
    raw = await request.body()
    given = parse_qs(raw[:MAX_LOGIN_BODY].decode(errors="replace")).get("token", [""])[0]
    if not settings.codec_operator_token:
        return HTMLResponse(_page("Operator login is off: set RELAY_CODEC_OPERATOR_TOKEN on the API."), 404)
    if not token_matches(settings.codec_operator_token, given):
        return HTMLResponse(_page("That is not the operator token."), status.HTTP_401_UNAUTHORIZED)
    answer = RedirectResponse(settings.temporal_ui_url, status_code=status.HTTP_303_SEE_OTHER)
    answer.set_cookie(
        COOKIE,
        new_session(settings.codec_operator_token),
        max_age=LIFETIME,
        path=PREFIX,  # sent to the codec endpoints only
        httponly=True,  # no script, the UI's included, can read it
        # Lax: sent on the UI's fetches, same site (127.0.0.1:8233 → 127.0.0.1:8000), not cross-site.
        samesite="lax",
        secure=request.url.scheme == "https",
    )
    return answer


@router.post("/logout", include_in_schema=False)
async def logout() -> Response:
    answer = Response(status_code=status.HTTP_204_NO_CONTENT)
    answer.delete_cookie(COOKIE, path=PREFIX)
    return answer


def _page(message: str) -> str:
    return LOGIN_PAGE.format(message=html.escape(message), action=f"{PREFIX}/login")


def install_codec_cors(app: FastAPI, settings: Settings) -> None:
    """Let the Web UI's origins (``RELAY_CODEC_CORS_ORIGINS``) call ``/codec/*`` from a browser,
    with credentials (the operator cookie). Only ``/codec/*`` answers cross-origin; a preflight
    needs no API key."""
    app.add_middleware(CodecCORSMiddleware, origins=settings.codec_cors_origins)


class CodecCORSMiddleware:
    """CORS for the codec endpoints only; every other path passes straight through."""

    def __init__(self, app: ASGIApp, *, origins: list[str]) -> None:
        self._app = app
        self._cors = CORSMiddleware(
            app,
            allow_origins=origins,
            allow_methods=["POST"],
            allow_headers=list(CORS_HEADERS),
            # The UI's "include cross-origin credentials" switch needs this (and exact origins).
            allow_credentials=True,
            max_age=600,
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"].startswith(PREFIX + "/"):
            await self._cors(scope, receive, send)
        else:
            await self._app(scope, receive, send)


def _from_json(body: CodecPayloads) -> list[Payload]:
    return [
        Payload(
            metadata={k: _b64(v, f"payloads[{i}].metadata.{k}") for k, v in p.metadata.items()},
            data=_b64(p.data, f"payloads[{i}].data"),
        )
        for i, p in enumerate(body.payloads)
    ]


def _to_json(payloads: list[Payload]) -> CodecPayloads:
    return CodecPayloads(
        payloads=[
            CodecPayload(
                metadata={k: base64.b64encode(v).decode() for k, v in p.metadata.items()},
                data=base64.b64encode(p.data).decode(),
            )
            for p in payloads
        ]
    )


def _b64(value: str, where: str) -> bytes:
    # Protobuf JSON accepts standard and URL-safe base64, padded or not: BASE64, exactly.
    text = value.replace("-", "+").replace("_", "/")
    try:
        if not re.fullmatch(BASE64, value):
            raise ValueError(value)
        return base64.b64decode(text + "=" * (-len(text) % 4), validate=True)
    except (binascii.Error, ValueError):
        raise HTTPException(
            status.HTTP_422_UNPROCESSABLE_CONTENT, detail=f"{where} is not valid base64"
        ) from None
