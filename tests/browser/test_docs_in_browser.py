"""``/docs`` and ``/redoc`` rendered by a real browser (Debian's chromium) with nothing fetched
from another host, what their scripts load at run time included."""

from collections.abc import Iterator
from urllib.parse import urljoin, urlsplit

import pytest
from playwright.async_api import async_playwright
from sqlalchemy import Engine
from temporalio.testing import WorkflowEnvironment

from api.app import create_app
from relay.core.settings import Settings
from tests.browser.chromium import chromium_or_skip, launch_args
from tests.support.served import serve


@pytest.fixture
def api_url(settings: Settings, engine: Engine, dev_env: WorkflowEnvironment) -> Iterator[str]:
    with serve(create_app(settings, engine=engine, temporal_client=dev_env.client)) as url:
        yield url


@pytest.mark.parametrize(("page", "rendered"), [("/docs", ".opblock"), ("/redoc", "[data-section-id]")])
async def test_docs_render_in_a_browser_without_other_hosts(api_url: str, page: str, rendered: str) -> None:
    """What the scripts fetch at run time too: a real browser renders the pages while every
    request that reaches the network stays on the API. ReDoc's bundle points its menu logo at
    cdn.redoc.ly; the pages' Content-Security-Policy stops that one in the browser."""
    executable = chromium_or_skip()
    host = urlsplit(api_url).netloc
    answered: list[str] = []
    failed: dict[str, str | None] = {}
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=executable, args=launch_args())
        try:
            tab = await browser.new_page()
            tab.on("response", lambda response: answered.append(response.url))
            tab.on("requestfailed", lambda request: failed.update({request.url: request.failure}))
            await tab.goto(urljoin(api_url, page))
            # The page really rendered the API (its operations), from local files alone.
            await tab.locator(rendered).first.wait_for(timeout=60_000)
            await tab.wait_for_load_state("networkidle")
        finally:
            await browser.close()

    def elsewhere(url: str) -> bool:
        return urlsplit(url).scheme in ("http", "https") and urlsplit(url).netloc != host

    assert answered and not [url for url in answered if elsewhere(url)]
    assert all(failed[url] in ("csp", "net::ERR_BLOCKED_BY_CSP") for url in failed if elsewhere(url)), failed
