"""http_request's failures, classified and retried by a real Temporal server."""

import threading
import time
from collections.abc import Iterator
from datetime import timedelta

import pytest
from temporalio.exceptions import RetryState

from tests.support.servers import ReceivedRequest, Reply


def scripted(*replies: Reply):
    """A responder giving ``replies`` in turn, then repeating the last one."""
    queue = list(replies)

    def answer(_req: ReceivedRequest) -> Reply:
        return queue.pop(0) if len(queue) > 1 else queue[0]

    return answer


async def test_404_fails_at_once(run_action, http_server):
    http_server.responder = scripted(Reply(404, {"error": "no such contact"}))

    outcome = await run_action("http_request", {"url": f"{http_server.url}/contacts/9"}, max_attempts=5)

    assert len(http_server.requests) == 1
    assert outcome.error.non_retryable
    assert outcome.error.type == "HTTP404"
    assert "404" in outcome.error.message and "no such contact" in outcome.error.message
    assert outcome.retry_state == RetryState.NON_RETRYABLE_FAILURE


async def test_429_waits_as_long_as_retry_after_says(run_action, http_server):
    http_server.responder = scripted(Reply(429, {}, {"Retry-After": "120"}), Reply(200, {"ok": 1}))

    outcome = await run_action(
        "http_request", {"url": http_server.url}, max_attempts=3, initial_interval=timedelta(seconds=1)
    )

    assert outcome.error is None, outcome.error
    assert outcome.attempt == 2
    # Time-skipped: the retry came after Retry-After's 120 s, not the policy's 1 s.
    assert outcome.elapsed >= timedelta(seconds=120)


async def test_503_twice_then_200_succeeds_on_the_third_attempt(run_action, http_server):
    http_server.responder = scripted(Reply(503, "down"), Reply(503, "down"), Reply(200, {"ok": 1}))

    outcome = await run_action("http_request", {"url": http_server.url}, max_attempts=5)

    assert outcome.error is None, outcome.error
    assert outcome.attempt == 3
    assert len(http_server.requests) == 3
    assert outcome.output["body"] == {"ok": 1}


@pytest.fixture
def release() -> Iterator[threading.Event]:
    event = threading.Event()
    yield event
    event.set()


async def test_hanging_server_times_out_and_is_retried(run_action, http_server, release):
    def hang(_req: ReceivedRequest) -> Reply:
        release.wait(30)
        return Reply(200, {})

    http_server.responder = hang

    outcome = await run_action("http_request", {"url": http_server.url, "timeout": 0.5}, max_attempts=2)

    assert len(http_server.requests) == 2
    assert outcome.error.type == "Timeout"
    assert not outcome.error.non_retryable
    assert outcome.retry_state == RetryState.MAXIMUM_ATTEMPTS_REACHED


async def test_slow_answer_within_timeout_keeps_heartbeating(run_action, http_server):
    def slow(_req: ReceivedRequest) -> Reply:
        time.sleep(3)
        return Reply(200, {"ok": 1})

    http_server.responder = slow

    outcome = await run_action(
        "http_request", {"url": http_server.url, "timeout": 10}, heartbeat=timedelta(seconds=1)
    )

    # Without heartbeats the 1 s heartbeat timeout would have failed the only attempt.
    assert outcome.error is None, outcome.error
    assert outcome.output["body"] == {"ok": 1}
