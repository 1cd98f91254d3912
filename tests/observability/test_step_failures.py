"""How step failures are logged, on a real worker (in this process) and the dev server:
a classified, retried error writes one line per attempt and no traceback; an unexpected one
keeps its traceback, with the account's secrets blanked out of it."""

import io
import json
import logging
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import Engine
from temporalio.testing import WorkflowEnvironment

from activities import log_redaction
from relay.core.logs import build_formatter
from relay.core.settings import Settings
from tests.support.api_calls import finished, post_event, publish
from tests.support.servers import HttpServer, ReceivedRequest, Reply
from tests.support.stack import relay_stack

SECRET = "tok-live-3f9a1c77d2"


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return settings.model_copy(
        update={"action_modules": ["tests.observability.failing_actions"], "http_allow": ["127.0.0.1"]}
    )


@pytest.fixture
def json_lines() -> Iterator[io.StringIO]:
    """Every record of this process, rendered as the worker renders them in JSON mode."""
    out = io.StringIO()
    handler = logging.StreamHandler(out)
    handler.setFormatter(build_formatter("json", [log_redaction.redact_event]))
    root = logging.getLogger()
    level = root.level
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    yield out
    root.removeHandler(handler)
    root.setLevel(level)


def _definition(url: str) -> dict[str, Any]:
    return {
        "name": "Flaky then broken",
        "trigger": {"event": "test/go"},
        "actions": [
            {
                "id": "flaky",
                "type": "http_request",
                "data": {"url": f"{url}/flaky"},
                "retry": {"max_attempts": 3, "initial_interval": "100ms"},
            },
            {
                "id": "broken",
                "type": "test_explode",
                "data": {"secret": "TOKEN"},
                "retry": {"max_attempts": 1},
            },
        ],
    }


async def test_retried_and_unexpected_failures(
    dev_env: WorkflowEnvironment,
    settings: Settings,
    engine: Engine,
    http_server: HttpServer,
    json_lines: io.StringIO,
) -> None:
    calls: list[str] = []

    def fails_twice(request: ReceivedRequest) -> Reply:
        calls.append(request.path)
        return Reply(500, {"error": "busy"}) if len(calls) <= 2 else Reply(200, {"ok": True})

    http_server.responder = fails_twice
    async with relay_stack(dev_env.client, settings=settings, engine=engine) as [api]:
        assert (await api.put("/v1/secrets/TOKEN", json={"value": SECRET})).status_code < 300
        await publish(api, _definition(http_server.url))
        [run_id] = (await post_event(api, "test/go", {}))["runs"]
        run = await finished(api, run_id, seconds=60)

    assert run["status"] == "failed", run
    text = json_lines.getvalue()
    lines = [json.loads(line) for line in text.splitlines() if line.strip()]
    mine = [line for line in lines if line.get("run_id") == run_id]

    retried = [line for line in mine if line["event"] == "step failed" and line.get("step_id") == "flaky"]
    assert [(line["attempt"], line["error_class"], line["retryable"]) for line in retried] == [
        (1, "HTTP500", True),
        (2, "HTTP500", True),
    ]
    assert all("exception" not in line for line in retried)

    [unexpected] = [line for line in mine if line["event"] == "step failed unexpectedly"]
    assert (unexpected["step_id"], unexpected["error_class"]) == ("broken", "RuntimeError")
    assert (
        "Traceback" in unexpected["exception"] and "could not use token [redacted]" in unexpected["exception"]
    )

    # The SDK's own per-attempt traceback line is gone for every failure Relay logged.
    assert not [line for line in mine if line["event"].startswith("Completing activity as failed")]
    assert SECRET not in text
