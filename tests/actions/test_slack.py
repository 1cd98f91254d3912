"""slack against a local server answering like chat.postMessage."""

import pytest
from temporalio.exceptions import RetryState

from relay.core.settings import Settings
from tests.support.servers import HttpServer, Reply

TOKEN = "xoxb-test-123"


@pytest.fixture
def settings(settings: Settings, http_server: HttpServer) -> Settings:
    return settings.model_copy(update={"slack_api_url": f"{http_server.url}/api"})


async def test_posts_with_the_account_token(run_action, http_server, store_secret):
    store_secret("SLACK_TOKEN", TOKEN)
    http_server.responder = lambda req: Reply(200, {"ok": True, "channel": "C12345", "ts": "17.0001"})

    outcome = await run_action("slack", {"channel": "C12345", "text": "New lead", "thread_ts": "16.0001"})

    assert outcome.output == {"ok": True, "channel": "C12345", "ts": "17.0001"}
    [request] = http_server.requests
    assert request.method == "POST"
    assert request.path == "/api/chat.postMessage"
    assert request.headers["authorization"] == f"Bearer {TOKEN}"
    assert request.json() == {"channel": "C12345", "text": "New lead", "thread_ts": "16.0001"}


async def test_channel_not_found_fails_for_good_with_a_clear_message(run_action, http_server, store_secret):
    store_secret("SLACK_TOKEN", TOKEN)
    http_server.responder = lambda req: Reply(200, {"ok": False, "error": "channel_not_found"})

    outcome = await run_action("slack", {"channel": "C0NOPE", "text": "hi"}, max_attempts=5)

    assert len(http_server.requests) == 1
    assert outcome.error.non_retryable
    assert outcome.error.type == "SlackChannelNotFound"
    assert "C0NOPE" in outcome.error.message and "channel_not_found" in outcome.error.message
    assert outcome.retry_state == RetryState.NON_RETRYABLE_FAILURE


async def test_ratelimited_is_retried(run_action, http_server, store_secret):
    store_secret("SLACK_TOKEN", TOKEN)
    answers = [
        Reply(429, {"ok": False, "error": "ratelimited"}, {"Retry-After": "30"}),
        Reply(200, {"ok": True, "channel": "C1", "ts": "1.2"}),
    ]
    http_server.responder = lambda req: answers.pop(0)

    outcome = await run_action("slack", {"channel": "C1", "text": "hi"}, max_attempts=3)

    assert outcome.attempt == 2
    assert outcome.elapsed.total_seconds() >= 30


async def test_missing_token_secret_fails_for_good(run_action, http_server):
    outcome = await run_action("slack", {"channel": "C1", "text": "hi"}, max_attempts=5)

    assert outcome.error.non_retryable
    assert "SLACK_TOKEN" in outcome.error.message
    assert http_server.requests == []
