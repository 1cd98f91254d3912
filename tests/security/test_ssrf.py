"""No SSRF through ``http_request``: through the real API and a real worker on the Temporal dev
server, a request to a loopback address the operator did not allow fails the step at once,
non-retryable, naming the rule: directly, by a host name and through a redirect. Only
127.0.0.0/8 is ever contacted (the other ranges are unit-tested in test_address_rule.py)."""

from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml
from sqlalchemy import Engine
from temporalio.testing import WorkflowEnvironment

from relay.core.settings import Settings
from tests.support.api_calls import finished, post_event, publish
from tests.support.servers import HttpServer, Reply
from tests.support.stack import relay_stack

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def sink_2() -> Iterator[HttpServer]:
    """A server on 127.0.0.2, which the default test settings (127.0.0.1 allowed) refuse."""
    server = HttpServer(host="127.0.0.2").start()
    yield server
    server.stop()


@pytest.fixture
async def relay_only_2(
    dev_env: WorkflowEnvironment, settings: Settings, engine: Engine
) -> AsyncIterator[httpx.AsyncClient]:
    """The API and a worker whose operator allows 127.0.0.2 only (so 127.0.0.1 is refused)."""
    allowed = settings.model_copy(update={"http_allow": ["127.0.0.2"]})
    async with relay_stack(dev_env.client, settings=allowed, engine=engine) as (api,):
        yield api


@pytest.fixture
async def relay(
    dev_env: WorkflowEnvironment, settings: Settings, engine: Engine
) -> AsyncIterator[httpx.AsyncClient]:
    """The API and a worker with the test settings: 127.0.0.1 allowed, nothing else."""
    assert settings.http_allow == ["127.0.0.1"]
    async with relay_stack(dev_env.client, settings=settings, engine=engine) as (api,):
        yield api


async def _call(api: httpx.AsyncClient, url: str, event: str) -> dict[str, Any]:
    """Run a one-step ``http_request`` workflow to its end; the step as the API shows it."""
    await publish(
        api,
        {
            "name": f"fetch {event}",
            "trigger": {"event": event},
            "actions": [{"id": "fetch", "type": "http_request", "data": {"url": url}}],
        },
    )
    accepted = await post_event(api, event, {})
    run = await finished(api, accepted["runs"][0], seconds=20)
    return {"run": run, "step": next(s for s in run["steps"] if s["id"] == "fetch")}


def _refused_at_once(outcome: dict[str, Any], pattern: str) -> None:
    import re

    run, step = outcome["run"], outcome["step"]
    assert run["status"] == "failed", run
    assert step["status"] == "failed", step
    # Non-retryable: one attempt, where a network error would have been retried (5 attempts).
    assert step["attempts"] == 1, step
    assert re.search(pattern, step["error"]), step["error"]
    assert "RELAY_HTTP_ALLOW" in step["error"]


async def test_a_loopback_address_outside_the_allow_list_is_refused(
    relay: httpx.AsyncClient, http_server: HttpServer, sink_2: HttpServer
) -> None:
    refused = await _call(relay, f"{sink_2.url}/secret", "ssrf/direct")
    _refused_at_once(refused, r"127\.0\.0\.2 is a loopback address: refused")
    assert sink_2.requests == []
    # The allowed one is reached by the same worker: the rule refuses what it should only.
    allowed = await _call(relay, f"{http_server.url}/ok", "ssrf/allowed")
    assert allowed["run"]["status"] == "completed", allowed
    assert allowed["step"]["output"]["body"] == {"ok": True}


async def test_a_host_name_is_judged_by_the_address_it_resolves_to(
    relay_only_2: httpx.AsyncClient, http_server: HttpServer, sink_2: HttpServer
) -> None:
    port = http_server.url.rsplit(":", 1)[1]
    refused = await _call(relay_only_2, f"http://localhost:{port}/secret", "ssrf/by-name")
    _refused_at_once(refused, r"localhost \((127\.0\.0\.1|::1)\) is a loopback address")
    assert http_server.requests == []
    allowed = await _call(relay_only_2, f"{sink_2.url}/ok", "ssrf/listed")
    assert allowed["run"]["status"] == "completed", allowed
    assert len(sink_2.requests) == 1


async def test_a_redirect_to_a_refused_address_is_refused(
    relay: httpx.AsyncClient, http_server: HttpServer, sink_2: HttpServer
) -> None:
    http_server.responder = lambda _req: Reply(302, b"", headers={"Location": f"{sink_2.url}/secret"})
    refused = await _call(relay, f"{http_server.url}/go", "ssrf/redirect")
    _refused_at_once(refused, r"127\.0\.0\.2 is a loopback address: refused")
    assert [r.path for r in http_server.requests] == ["/go"]
    assert sink_2.requests == []


def test_workers_are_kept_off_the_temporal_ui_network() -> None:
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    services = compose["services"]

    def networks(name: str) -> set[str]:
        return set(services[name].get("networks") or ["default"])

    ui = networks("temporal-ui") | networks("postgresql")
    assert not networks("worker") & ui, "a worker shares a network with the Web UI or Temporal's database"
    assert networks("worker") & networks("temporal"), "workers must still reach the Temporal frontend"
    assert networks("worker") & networks("relay-db")
    assert "RELAY_HTTP_ALLOW" in services["worker"]["environment"]
