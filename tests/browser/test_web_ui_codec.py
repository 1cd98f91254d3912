"""The Temporal Web UI shows a run's encrypted input decoded to an operator, ciphertext to others.

Everything real: the Temporal CLI dev server with its Web UI and ``--ui-codec-endpoint`` set
as ``relay dev`` sets it, Relay's API over HTTP with payload encryption on, a worker, a run
started through the API, and Debian's chromium driven by Playwright. The operator logs in
with the one-click link ``relay dev`` prints and sets the UI's codec dialog as
docs/encryption.md says; the other browser sets the same dialog but has no cookie.
"""

import base64
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass

import httpx
import pytest
from playwright.async_api import Browser, Page, async_playwright
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.testing import WorkflowEnvironment

from api.app import create_app
from relay.core.codec import ENCODING, new_payload_key
from relay.core.dev_server import dynamic_config_args
from relay.core.settings import Settings
from relay.core.temporal import SEARCH_ATTRIBUTES
from relay.services.accounts import create_account
from relay.storage import create_db_engine, upgrade
from relay.storage.secrets import new_key
from tests.browser.chromium import chromium_or_skip, launch_args
from tests.support.api_calls import finished, publish
from tests.support.served import serve
from tests.support.servers import free_port
from tests.support.temporal import _binary
from worker.build import build_worker

OPERATOR_TOKEN = f"operator-{uuid.uuid4().hex}"
FLOW = {"name": "Shown decoded", "actions": [
    {"id": "say", "type": "log", "data": {"message": "{{ input.note }}"}}]}  # fmt: skip
UI_WAIT_MS = 60_000  # the UI on a busy 2-core machine: generous, only ever waited out on failure


@dataclass
class Deployment:
    api_url: str
    ui_url: str
    workflow_id: str  # Temporal's
    note: str  # the recognisable string in the run's input
    ciphertext: str  # the start of the input payload's data as the UI shows it undecoded


@pytest.fixture(scope="module")
async def deployment(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Deployment]:
    """One deployment for the module's tests: starting Temporal with its UI takes a while."""
    settings = Settings(
        database_url=f"sqlite:///{tmp_path_factory.mktemp('browser') / 'relay.db'}",
        secrets_keys=new_key(),
        task_queue=f"relay-browser-{uuid.uuid4()}",
    )
    engine = create_db_engine(settings.database_url)
    upgrade(engine)
    api_port, ui_port = free_port(), free_port()
    api_url, ui_url = f"http://127.0.0.1:{api_port}", f"http://127.0.0.1:{ui_port}"
    env = await WorkflowEnvironment.start_local(
        data_converter=pydantic_data_converter,
        dev_server_existing_path=_binary("temporal"),
        search_attributes=SEARCH_ATTRIBUTES,
        dev_server_log_level="error",
        ui=True,
        ui_port=ui_port,
        dev_server_extra_args=[*dynamic_config_args(), "--ui-codec-endpoint", f"{api_url}/codec"],
    )
    secure = settings.model_copy(
        update={
            "payload_keys": [new_payload_key("browser")],
            "codec_operator_token": OPERATOR_TOKEN,
            "codec_cors_origins": [ui_url],
            "temporal_ui_url": ui_url,
        }
    )
    key = create_account(engine, name="Browser test")[1]
    note = f"decoded-note-{uuid.uuid4().hex}"
    try:
        with serve(create_app(secure, engine=engine, temporal_client=env.client), port=api_port):
            async with (
                httpx.AsyncClient() as http,
                build_worker(env.client, settings=secure, engine=engine, http=http),
                httpx.AsyncClient(base_url=api_url, headers={"Authorization": f"Bearer {key}"}) as api,
            ):
                workflow_id = await publish(api, FLOW)
                started = await api.post(f"/v1/workflows/{workflow_id}/runs", json={"input": {"note": note}})
                assert started.status_code == 202, started.text
                run = await finished(api, started.json()["run_id"], seconds=60)
                assert run["status"] == "completed", run
                temporal_id = run["temporal_workflow_id"]
                history = await env.client.get_workflow_handle(temporal_id).fetch_history()
                first = history.events[0].workflow_execution_started_event_attributes.input.payloads[0]
                assert first.metadata["encoding"] == ENCODING and note.encode() not in first.data
                yield Deployment(
                    api_url=api_url,
                    ui_url=ui_url,
                    workflow_id=temporal_id,
                    note=note,
                    ciphertext=base64.b64encode(first.data).decode()[:24],
                )
    finally:
        await env.shutdown()
        engine.dispose()


@pytest.fixture(scope="module")
async def browser() -> AsyncIterator[Browser]:
    executable = chromium_or_skip()
    async with async_playwright() as playwright:
        launched = await playwright.chromium.launch(executable_path=executable, args=launch_args())
        yield launched
        await launched.close()


async def _configure_codec(page: Page, deployment: Deployment) -> None:
    """What docs/encryption.md tells the operator to do once per browser, in the UI's codec
    dialog: use the browser setting, the API's /codec, include cross-origin credentials."""
    await page.goto(f"{deployment.ui_url}/namespaces/default/workflows")
    await page.locator("[data-testid^=data-encoder-status]").first.click(timeout=UI_WAIT_MS)
    await page.get_by_text("Use my browser setting and ignore Cluster-level setting.").click()
    await page.locator("#data-encoder-endpoint-input").fill(f"{deployment.api_url}/codec")
    await page.locator("[data-testid=data-encoder-include-credentials]").click()
    assert await page.locator("#pass-access-credentials").is_checked()
    await page.get_by_role("button", name="Apply").click()
    # Kept in the browser's local storage (the UI's own keys) before the next page loads.
    await page.wait_for_function("localStorage.getItem('includeCredentials') === 'true'", timeout=UI_WAIT_MS)


async def _open_run(browser: Browser, deployment: Deployment, *, log_in: bool) -> Page:
    context = await browser.new_context()
    page = await context.new_page()
    if log_in:  # the one-click link `relay dev` prints: the token after '#', then the Web UI
        await page.goto(f"{deployment.api_url}/codec/login#token={OPERATOR_TOKEN}")
        await page.wait_for_url(f"{deployment.ui_url}/**", timeout=UI_WAIT_MS)
        cookies = await context.cookies(deployment.api_url + "/codec")
        assert [c["httpOnly"] for c in cookies if c["name"] == "relay_codec_session"] == [True]
    await _configure_codec(page, deployment)
    await page.goto(f"{deployment.ui_url}/namespaces/default/workflows/{deployment.workflow_id}")
    return page


async def test_the_operator_sees_the_input_decoded(browser: Browser, deployment: Deployment) -> None:
    page = await _open_run(browser, deployment, log_in=True)

    await page.get_by_text(deployment.note).first.wait_for(timeout=UI_WAIT_MS)

    assert deployment.ciphertext not in await page.content()


async def test_without_the_cookie_the_input_stays_ciphertext(
    browser: Browser, deployment: Deployment
) -> None:
    page = await _open_run(browser, deployment, log_in=False)

    await page.get_by_text(deployment.ciphertext).first.wait_for(timeout=UI_WAIT_MS)

    assert deployment.note not in await page.content()
