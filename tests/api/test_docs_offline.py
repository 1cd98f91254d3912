"""``/docs`` and ``/redoc`` work without internet: every file they load comes from the API itself."""

import re
from collections.abc import Iterator
from urllib.parse import urljoin, urlsplit

import httpx
import pytest
from sqlalchemy import Engine
from temporalio.testing import WorkflowEnvironment

from api.app import create_app
from relay.core.settings import Settings
from tests.support.served import serve

# src/href attributes, url(...) in CSS and quoted http(s) URLs in inline scripts.
ATTRIBUTE = re.compile(r"""\b(?:src|href)\s*=\s*["']([^"']+)["']""", re.I)
CSS_URL = re.compile(r"""url\(\s*["']?([^"')]+)["']?\s*\)""", re.I)
ABSOLUTE = re.compile(r"""https?://[^\s"'<>()]+""", re.I)


@pytest.fixture
def api_url(settings: Settings, engine: Engine, dev_env: WorkflowEnvironment) -> Iterator[str]:
    with serve(create_app(settings, engine=engine, temporal_client=dev_env.client)) as url:
        yield url


def _references(text: str, content_type: str) -> set[str]:
    if "css" in content_type:
        return {u for u in CSS_URL.findall(text) if not u.startswith("data:")}
    if "html" in content_type:
        return set(ATTRIBUTE.findall(text)) | set(ABSOLUTE.findall(text))
    return set()  # scripts: what they fetch at run time, tests/browser/test_docs_in_browser.py


@pytest.mark.parametrize("page", ["/docs", "/redoc"])
def test_docs_pages_load_everything_from_the_api(api_url: str, page: str) -> None:
    host = urlsplit(api_url).netloc
    seen: dict[str, int] = {}
    queue = [urljoin(api_url, page)]
    with httpx.Client(timeout=30) as http:
        while queue:
            url = queue.pop()
            if url in seen:
                continue
            assert urlsplit(url).netloc == host, f"{page} references another host: {url}"
            answer = http.get(url)
            seen[url] = answer.status_code
            assert answer.status_code == 200, f"{url} answered {answer.status_code}"
            kind = answer.headers.get("content-type", "")
            queue += [urljoin(url, ref) for ref in _references(answer.text, kind)]

    loaded = " ".join(seen)
    # The page itself, its script bundle and (Swagger UI) its stylesheet, all local.
    assert ("swagger-ui-bundle.js" in loaded) if page == "/docs" else ("redoc.standalone.js" in loaded)
    answer = httpx.get(urljoin(api_url, page))
    html = answer.text
    # The browser itself is told to load from nowhere else (what the bundles point at included).
    assert answer.headers["content-security-policy"].startswith("default-src 'self';")
    assert "/openapi.json" in html and httpx.get(urljoin(api_url, "/openapi.json")).status_code == 200
    if page == "/docs":
        assert "swagger-ui.css" in loaded
        assert '"validatorUrl": null' in html  # no badge fetched from validator.swagger.io
