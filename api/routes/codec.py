"""``/codec/encode`` and ``/codec/decode``: Relay's payload codec as a Temporal codec server.

Point the Temporal Web UI's codec endpoint at ``<api>/codec`` and it shows decoded
payloads to whoever sends a valid API key; everyone else sees ciphertext. Both endpoints
run the chain every worker runs (``relay.services.codec.CodecService``): decryption with
``RELAY_PAYLOAD_KEYS`` and the claim check's payload store.
"""

import base64
import binascii

from fastapi import APIRouter, FastAPI, HTTPException, status
from pydantic import BaseModel, Field
from starlette.middleware.cors import CORSMiddleware
from starlette.types import ASGIApp, Receive, Scope, Send
from temporalio.api.common.v1 import Payload

from api.deps import AccountDep, ServicesDep
from relay.core.settings import Settings
from relay.services.codec import UndecodablePayload

PREFIX = "/codec"
# What the Web UI sends: its token (when "pass access token" is on), the namespace, JSON.
CORS_HEADERS = ("Authorization", "Content-Type", "X-Namespace")

router = APIRouter(prefix=PREFIX, tags=["codec"])


class CodecPayload(BaseModel):
    """One Temporal payload in the codec-server JSON format (protobuf JSON)."""

    metadata: dict[str, str] = Field(default_factory=dict, description="values base64-encoded")
    data: str = Field("", description="base64-encoded")


class CodecPayloads(BaseModel):
    payloads: list[CodecPayload] = Field(default_factory=list)


@router.post("/encode")
async def encode(body: CodecPayloads, _account: AccountDep, services: ServicesDep) -> CodecPayloads:
    """Encode payloads as a worker would (encrypt with the first key, claim check)."""
    return _to_json(await services.codec.encode(_from_json(body)))


@router.post("/decode")
async def decode(body: CodecPayloads, _account: AccountDep, services: ServicesDep) -> CodecPayloads:
    """Decode payloads taken from a workflow history into the payloads the workflow saw."""
    try:
        return _to_json(await services.codec.decode(_from_json(body)))
    except UndecodablePayload as exc:
        # Answered here, not by the app's error handlers: the codec router also runs on its own.
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, detail=str(exc)) from None


def install_codec_cors(app: FastAPI, settings: Settings) -> None:
    """Let the Web UI's origins (``RELAY_CODEC_CORS_ORIGINS``) call ``/codec/*`` from a browser.

    Only ``/codec/*`` answers cross-origin; a preflight needs no API key.
    """
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
    # Protobuf JSON accepts standard and URL-safe base64, padded or not.
    text = value.strip().replace("-", "+").replace("_", "/")
    try:
        return base64.b64decode(text + "=" * (-len(text) % 4), validate=True)
    except (binascii.Error, ValueError):
        raise HTTPException(
            status.HTTP_422_UNPROCESSABLE_CONTENT, detail=f"{where} is not valid base64"
        ) from None
