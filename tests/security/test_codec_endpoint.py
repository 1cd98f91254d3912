"""``/codec/encode`` and ``/codec/decode`` as the Temporal Web UI calls them, on payloads taken
from a real history: plaintext for an API key holder, 401 for anyone else, CORS for the UI."""

import json
import uuid
from collections.abc import AsyncIterator

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import Engine
from temporalio.api.common.v1 import Payload
from temporalio.testing import WorkflowEnvironment

from api.app import create_app
from api.routes import codec
from relay.core.codec import ENCODING, new_payload_key
from relay.core.payloads import relay_payload_codec
from relay.core.settings import Settings
from relay.services.accounts import create_account
from relay.services.container import Services
from tests.security.conftest import OPERATOR_TOKEN, SecureRunner, payloads_in
from tests.security.vault_actions import sealed
from tests.support.codec_json import codec_body, codec_payloads

UI_ORIGIN = "http://127.0.0.1:8233"
FLOW = {"name": "Decode me", "actions": [
    {"id": "seal", "type": "security_seal", "data": {"value": "{{ event.data.note }}"}}]}  # fmt: skip


@pytest.fixture(params=["router", "create_app"])
async def app(
    request: pytest.FixtureRequest,
    secure_settings: Settings,
    engine: Engine,
    dev_env: WorkflowEnvironment,
) -> AsyncIterator[FastAPI]:
    """The codec router alone on a bare app, and inside the real API app."""
    if request.param == "router":
        bare = FastAPI()
        bare.include_router(codec.router)
        codec.install_codec_cors(bare, secure_settings)
        bare.state.services = Services.create(
            settings=secure_settings, engine=engine, temporal=dev_env.client
        )
        yield bare
        return
    # As the API ships: the codec routes and their CORS must already be wired in.
    full = create_app(secure_settings, engine=engine, temporal_client=dev_env.client)
    async with full.router.lifespan_context(full):
        yield full


@pytest.fixture
def key(engine: Engine) -> str:
    return create_account(engine, name=f"Ops {uuid.uuid4().hex[:6]}")[1]


@pytest.fixture
async def ui(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    """A browser on the Web UI's page: it sends the UI's origin and namespace with each call."""
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app),
        base_url="http://relay.test",
        headers={"Origin": UI_ORIGIN, "X-Namespace": "default"},
    ) as client:
        yield client


async def test_decode_shows_a_history_payload_to_an_operator(
    run_secure: SecureRunner, ui: httpx.AsyncClient, key: str
) -> None:
    """The run belongs to no account of this database, so only an operator reads it
    (account keys: ``test_codec_accounts.py``)."""
    note = f"ui-note-{uuid.uuid4().hex}"
    done = await run_secure(FLOW, data={"note": note})
    from_history = [p for _, p in payloads_in(done.history)]
    assert from_history and all(p.metadata["encoding"] == ENCODING for p in from_history)
    as_account = await ui.post(
        "/codec/decode", json=codec_body(from_history), headers={"Authorization": f"Bearer {key}"}
    )
    assert as_account.status_code == 404, as_account.text
    login = await ui.post("/codec/login", data={"token": OPERATOR_TOKEN})
    assert login.status_code == 303, login.text

    answer = await ui.post("/codec/decode", json=codec_body(from_history))

    assert answer.status_code == 200, answer.text
    assert answer.headers["access-control-allow-origin"] == UI_ORIGIN
    decoded = codec_payloads(answer.json())
    assert len(decoded) == len(from_history)
    assert all(p.metadata["encoding"] == b"json/plain" for p in decoded)
    text = b"\n".join(p.data for p in decoded).decode()
    assert note in text and sealed(note) in text
    started = json.loads(decoded[0].data)  # the first payload: the run's input
    assert started["event"]["data"] == {"note": note}


@pytest.mark.parametrize("authorization", [None, "Bearer rk_not-a-key", "Basic b3BzOm9wcw=="])
async def test_decode_without_a_valid_key_is_refused(
    ui: httpx.AsyncClient, secure_settings: Settings, authorization: str | None
) -> None:
    codec_ = relay_payload_codec(None, secure_settings)
    assert codec_ is not None
    sealed_payloads = await codec_.encode([Payload(metadata={"encoding": b"json/plain"}, data=b'"x"')])
    headers = {"Authorization": authorization} if authorization else {}

    answer = await ui.post("/codec/decode", json=codec_body(sealed_payloads), headers=headers)

    assert answer.status_code == 401
    assert "payloads" not in answer.json()
    # The UI can read the refusal (and so tell the user why) only with CORS headers on it.
    assert answer.headers["access-control-allow-origin"] == UI_ORIGIN


async def test_encode_then_decode_round_trip_through_the_endpoint(ui: httpx.AsyncClient, key: str) -> None:
    small = Payload(metadata={"encoding": b"json/plain"}, data=b'{"to": "ada@example.com"}')
    # Large enough for the claim check: the endpoint runs the whole chain a worker runs.
    large = Payload(metadata={"encoding": b"json/plain"}, data=b'"' + b"y" * 200_000 + b'"')
    auth = {"Authorization": f"Bearer {key}"}

    encoded = await ui.post("/codec/encode", json=codec_body([small, large]), headers=auth)

    assert encoded.status_code == 200, encoded.text
    sealed_small, reference = codec_payloads(encoded.json())
    assert sealed_small.metadata["encoding"] == ENCODING
    assert sealed_small.metadata["encryption-key-id"] == b"2025-06"
    assert b"ada@example.com" not in sealed_small.data
    assert reference.metadata["encoding"] == b"relay/claim-check"
    decoded = await ui.post("/codec/decode", json=encoded.json(), headers=auth)
    assert decoded.status_code == 200, decoded.text
    assert codec_payloads(decoded.json()) == [small, large]


async def test_decode_with_an_unknown_key_id_names_it(ui: httpx.AsyncClient, key: str) -> None:
    stranger = relay_payload_codec(None, Settings(payload_keys=new_payload_key("elsewhere")))
    assert stranger is not None
    foreign = await stranger.encode([Payload(metadata={"encoding": b"json/plain"}, data=b"1")])

    auth = {"Authorization": f"Bearer {key}"}
    answer = await ui.post("/codec/decode", json=codec_body(foreign), headers=auth)

    assert answer.status_code == 422
    assert "'elsewhere'" in answer.json()["detail"]


async def test_bad_base64_is_refused_naming_the_field(ui: httpx.AsyncClient, key: str) -> None:
    body = {"payloads": [{"metadata": {"encoding": "YmluYXJ5"}, "data": "%%%"}]}

    answer = await ui.post("/codec/decode", json=body, headers={"Authorization": f"Bearer {key}"})

    assert answer.status_code == 422
    assert answer.json()["detail"] == "payloads[0].data is not valid base64"


async def test_protobuf_json_conventions_are_accepted(ui: httpx.AsyncClient, key: str) -> None:
    """URL-safe, unpadded base64 and omitted empty fields, as protobuf JSON allows."""
    body = {"payloads": [{"metadata": {"encoding": "anNvbi9wbGFpbg"}, "data": "Pz8_"}, {}]}

    answer = await ui.post("/codec/decode", json=body, headers={"Authorization": f"Bearer {key}"})

    assert answer.status_code == 200, answer.text
    first, empty = codec_payloads(answer.json())
    assert (first.metadata["encoding"], first.data) == (b"json/plain", b"???")
    assert empty == Payload()


@pytest.mark.parametrize("path", ["/codec/decode", "/codec/encode"])
async def test_preflight_from_the_ui_passes_without_a_key(ui: httpx.AsyncClient, path: str) -> None:
    answer = await ui.options(
        path,
        headers={
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "authorization,content-type,x-namespace",
        },
    )

    assert answer.status_code == 200, answer.text
    assert answer.headers["access-control-allow-origin"] == UI_ORIGIN
    assert answer.headers["access-control-allow-credentials"] == "true"
    allowed = {h.strip().lower() for h in answer.headers["access-control-allow-headers"].split(",")}
    assert {"authorization", "content-type", "x-namespace"} <= allowed
    assert "POST" in answer.headers["access-control-allow-methods"]


async def test_other_origins_and_other_paths_get_no_cors(ui: httpx.AsyncClient, key: str) -> None:
    elsewhere = await ui.options(
        "/codec/decode",
        headers={"Origin": "https://evil.example", "Access-Control-Request-Method": "POST"},
    )
    assert elsewhere.status_code == 400
    assert "access-control-allow-origin" not in elsewhere.headers

    # Only /codec/* is opened to the UI's origin; the rest of the API is not.
    other = await ui.get("/v1/actions", headers={"Authorization": f"Bearer {key}"})
    assert "access-control-allow-origin" not in other.headers
