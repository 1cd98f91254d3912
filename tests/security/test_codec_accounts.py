"""``/codec/decode`` gives each account its own payloads only, and operators every payload.

Runs start through the real API on the real dev server with a real worker; the payloads sent
to ``/codec/decode`` are taken from the history exactly as Temporal stores it. Each test runs
with payload encryption on and off: the claim check's payload store must not be a way around
the account boundary either.
"""

import json
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import Engine
from temporalio.api.common.v1 import Payload
from temporalio.testing import WorkflowEnvironment

from api.app import create_app
from relay.core.codec import ENCODING
from relay.core.payload_labels import ACCOUNT_LABEL
from relay.core.payloads import CLAIM_CHECK, relay_payload_codec
from relay.core.settings import Settings
from relay.services.accounts import create_account
from relay.services.codec_session import COOKIE, new_session
from tests.security.conftest import OPERATOR_TOKEN, payloads_in
from tests.support.api_calls import finished, publish
from tests.support.codec_json import codec_body, codec_payloads
from tests.support.stack import api_client
from worker.build import build_worker

UI_ORIGIN = "http://127.0.0.1:8233"
FLOW = {"name": "Mine only", "actions": [
    {"id": "seal", "type": "security_seal", "data": {"value": "{{ input.note }}"}}]}  # fmt: skip
LARGE = 200_000  # bytes of run input: over the claim check's threshold


@dataclass
class Tenant:
    api: httpx.AsyncClient
    key: str


@dataclass
class Stack:
    app: FastAPI
    a: Tenant
    b: Tenant
    env: WorkflowEnvironment

    def browser(self) -> httpx.AsyncClient:
        """No API key: as the Web UI calls, from its origin."""
        return httpx.AsyncClient(
            transport=httpx.ASGITransport(app=self.app),
            base_url="http://relay.test",
            headers={"Origin": UI_ORIGIN, "X-Namespace": "default"},
        )

    async def run_history(self, tenant: Tenant, run_input: dict[str, Any]) -> list[Payload]:
        """Start FLOW for ``tenant`` through the API, wait for it, return its history's payloads."""
        workflow_id = await publish(tenant.api, FLOW)
        started = await tenant.api.post(f"/v1/workflows/{workflow_id}/runs", json={"input": run_input})
        assert started.status_code == 202, started.text
        run = await finished(tenant.api, started.json()["run_id"], seconds=60)
        assert run["status"] == "completed", run
        history = await self.env.client.get_workflow_handle(run["temporal_workflow_id"]).fetch_history()
        return [p for e in history.events for _, p in payloads_in(e)]


@pytest.fixture(params=["encrypted", "plain"])
async def stack(
    request: pytest.FixtureRequest, secure_settings: Settings, engine: Engine, dev_env: WorkflowEnvironment
) -> AsyncIterator[Stack]:
    settings = secure_settings
    if request.param == "plain":  # no payload keys: the claim check alone
        settings = settings.model_copy(update={"payload_keys": []})
    app = create_app(settings, engine=engine, temporal_client=dev_env.client)
    suffix = uuid.uuid4().hex[:6]
    keys = [create_account(engine, name=f"{who} {suffix}")[1] for who in ("Alpha", "Beta")]
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient() as http,
        build_worker(dev_env.client, settings=settings, engine=engine, http=http),
        api_client(app, keys[0]) as a,
        api_client(app, keys[1]) as b,
    ):
        yield Stack(app=app, a=Tenant(a, keys[0]), b=Tenant(b, keys[1]), env=dev_env)


async def test_an_account_decodes_every_payload_of_its_own_run(stack: Stack) -> None:
    note = f"mine-{uuid.uuid4().hex}"
    payloads = await stack.run_history(stack.a, {"note": note})
    # Every payload in history was encoded by Relay (encrypted, or labelled plain JSON).
    assert payloads

    answer = await stack.a.api.post("/codec/decode", json=codec_body(payloads))

    assert answer.status_code == 200, answer.text
    decoded = codec_payloads(answer.json())
    assert len(decoded) == len(payloads)
    assert all(ACCOUNT_LABEL not in p.metadata for p in decoded)  # Relay's label stays inside
    assert all(p.metadata["encoding"] == b"json/plain" for p in decoded)
    assert note in b"\n".join(p.data for p in decoded).decode()


async def test_another_accounts_payloads_answer_404(stack: Stack) -> None:
    note = f"theirs-{uuid.uuid4().hex}"
    # Large: without encryption the claim-checked input is what there is to protect.
    payloads = await stack.run_history(stack.a, {"note": note, "pad": "x" * LARGE})
    sealed = [p for p in payloads if p.metadata["encoding"] in (ENCODING, CLAIM_CHECK)]
    assert sealed

    for index, payload in enumerate(sealed):
        answer = await stack.b.api.post("/codec/decode", json=codec_body([payload]))
        assert answer.status_code == 404, (index, answer.text)
        assert answer.json()["detail"].startswith("payloads[0] ")
        assert note not in answer.text


async def test_another_accounts_claim_check_reference_answers_404(stack: Stack) -> None:
    """The measured hole: B's key decoded A's large run input by its reference."""
    note = f"big-{uuid.uuid4().hex}"
    payloads = await stack.run_history(stack.a, {"note": note, "pad": "x" * LARGE})
    references = [p for p in payloads if p.metadata["encoding"] == CLAIM_CHECK]
    assert references, "the run input should have gone to the payload store"

    theirs = await stack.b.api.post("/codec/decode", json=codec_body(references))
    mine = await stack.a.api.post("/codec/decode", json=codec_body(references))

    assert theirs.status_code == 404, theirs.text
    assert theirs.json()["detail"] == (
        "payloads[0] is not a payload of this account, or its stored data is gone"
    )
    assert mine.status_code == 200, mine.text
    started = json.loads(codec_payloads(mine.json())[0].data)
    assert started["input"]["note"] == note


@pytest.mark.parametrize("reference", [b"0" * 64, b"\xff\xfe not text"])
async def test_a_reference_to_nothing_stored_answers_404(stack: Stack, reference: bytes) -> None:
    dangling = Payload(metadata={"encoding": CLAIM_CHECK}, data=reference)
    async with stack.browser() as browser:  # even an operator: there is nothing to show
        browser.cookies.set(COOKIE, new_session(OPERATOR_TOKEN), domain="relay.test", path="/codec")
        as_operator = await browser.post("/codec/decode", json=codec_body([dangling]))
    as_account = await stack.a.api.post("/codec/decode", json=codec_body([dangling]))

    assert as_operator.status_code == as_account.status_code == 404
    assert as_operator.json() == as_account.json()


async def test_one_foreign_payload_fails_the_request_naming_its_index(stack: Stack) -> None:
    mine = await stack.run_history(stack.b, {"note": "b's"})
    theirs = await stack.run_history(stack.a, {"note": "a's", "pad": "x" * LARGE})
    sealed = next(p for p in theirs if p.metadata["encoding"] in (ENCODING, CLAIM_CHECK))

    answer = await stack.b.api.post("/codec/decode", json=codec_body([*mine[:2], sealed]))

    assert answer.status_code == 404
    assert answer.json()["detail"].startswith("payloads[2] ")


async def test_a_label_sent_to_encode_is_replaced_by_the_callers_account(stack: Stack) -> None:
    """B cannot make a payload that A's key (or B's own, relabelled) reads as A's."""
    forged = Payload(metadata={"encoding": b"json/plain", ACCOUNT_LABEL: b"someone-else"}, data=b"1")
    large = Payload(metadata={"encoding": b"json/plain"}, data=b'"' + b"z" * LARGE + b'"')

    encoded = await stack.b.api.post("/codec/encode", json=codec_body([forged, large]))

    assert encoded.status_code == 200, encoded.text
    assert (await stack.a.api.post("/codec/decode", json=encoded.json())).status_code == 404
    back = await stack.b.api.post("/codec/decode", json=encoded.json())
    assert back.status_code == 200, back.text
    assert codec_payloads(back.json()) == [Payload(metadata={"encoding": b"json/plain"}, data=b"1"), large]


async def test_the_operator_cookie_decodes_every_account(stack: Stack) -> None:
    mine = await stack.run_history(stack.a, {"note": "alpha-note"})
    theirs = await stack.run_history(stack.b, {"note": "beta-note", "pad": "y" * LARGE})
    async with stack.browser() as browser:
        refused = await browser.post("/codec/decode", json=codec_body(mine))
        assert refused.status_code == 401
        assert refused.headers["access-control-allow-origin"] == UI_ORIGIN  # the UI can read why

        wrong = await browser.post("/codec/login", data={"token": "not-it"})
        assert wrong.status_code == 401 and COOKIE not in wrong.cookies
        login = await browser.post("/codec/login", data={"token": OPERATOR_TOKEN})
        assert login.status_code == 303
        assert login.headers["location"] == "http://127.0.0.1:8233"
        set_cookie = login.headers["set-cookie"].lower()
        assert "httponly" in set_cookie and "samesite=lax" in set_cookie and "path=/codec" in set_cookie
        assert OPERATOR_TOKEN not in login.headers["set-cookie"]

        answer = await browser.post("/codec/decode", json=codec_body(mine + theirs))

        assert answer.status_code == 200, answer.text
        assert answer.headers["access-control-allow-credentials"] == "true"
        text = b"\n".join(p.data for p in codec_payloads(answer.json())).decode()
        assert "alpha-note" in text and "beta-note" in text

        logout = await browser.post("/codec/logout")
        assert logout.status_code == 204
        assert (await browser.post("/codec/decode", json=codec_body(mine))).status_code == 401


@pytest.mark.parametrize(
    "cookie",
    [
        new_session(OPERATOR_TOKEN, now=0),  # expired long ago
        new_session("another-token"),  # made with another token (rotated)
        "9999999999.00",  # forged
        OPERATOR_TOKEN,  # the token itself is not a session
    ],
)
async def test_an_expired_or_forged_session_is_refused(stack: Stack, cookie: str) -> None:
    payloads = await stack.run_history(stack.a, {"note": "n"})
    async with stack.browser() as browser:
        browser.cookies.set(COOKIE, cookie, domain="relay.test", path="/codec")
        answer = await browser.post("/codec/decode", json=codec_body(payloads))
    assert answer.status_code == 401


async def test_unlabelled_payloads_written_before_labels_are_for_operators_only(
    stack: Stack, secure_settings: Settings
) -> None:
    """Histories recorded before payloads carried their account: no key can claim them."""
    old_codec = relay_payload_codec(None, secure_settings)  # encryption alone, as before labels
    assert old_codec is not None
    old = await old_codec.encode([Payload(metadata={"encoding": b"json/plain"}, data=b'"old"')])

    as_account = await stack.a.api.post("/codec/decode", json=codec_body(old))
    async with stack.browser() as browser:
        browser.cookies.set(COOKIE, new_session(OPERATOR_TOKEN), domain="relay.test", path="/codec")
        as_operator = await browser.post("/codec/decode", json=codec_body(old))

    if stack.app.state.services.settings.payload_keys:
        assert as_account.status_code == 404
        assert as_operator.status_code == 200, as_operator.text
        assert codec_payloads(as_operator.json())[0].data == b'"old"'
    else:  # no keys here: nobody can decrypt it
        assert as_account.status_code == as_operator.status_code == 422
        assert "RELAY_PAYLOAD_KEYS is empty" in as_operator.json()["detail"]


async def test_operator_login_is_off_without_a_token(
    secure_settings: Settings, engine: Engine, dev_env: WorkflowEnvironment
) -> None:
    settings = secure_settings.model_copy(update={"codec_operator_token": None})
    app = create_app(settings, engine=engine, temporal_client=dev_env.client)
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://relay.test") as browser,
    ):
        page = await browser.get("/codec/login")
        login = await browser.post("/codec/login", data={"token": ""})
        browser.cookies.set(COOKIE, new_session(""), domain="relay.test", path="/codec")
        decode = await browser.post("/codec/decode", json={"payloads": []})
    assert page.status_code == 404 and "RELAY_CODEC_OPERATOR_TOKEN" in page.text
    assert login.status_code == 404
    assert decode.status_code == 401
