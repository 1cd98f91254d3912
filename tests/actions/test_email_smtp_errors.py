"""How SMTP refusals and outages are classified: 5xx for good, 4xx and outages retried."""

from collections.abc import Iterator

import pytest
from temporalio.exceptions import RetryState

from relay.core.settings import Settings
from tests.actions.smtp import PickySmtpServer
from tests.support.servers import free_port


@pytest.fixture
def picky() -> Iterator[PickySmtpServer]:
    server = PickySmtpServer().start()
    yield server
    server.stop()


@pytest.fixture
def smtp_port(picky: PickySmtpServer) -> int:
    return picky.port


@pytest.fixture
def settings(settings: Settings, smtp_port: int) -> Settings:
    # Read when the worker is built: the email action gets its SMTP server in its constructor.
    return settings.model_copy(update={"smtp_port": smtp_port})


def mail_to(to: str) -> dict:
    return {"to": to, "subject": "s", "text": "t"}


async def test_every_recipient_refused_fails_for_good(run_action, picky):
    outcome = await run_action("email", mail_to("bounce@x.org"), max_attempts=5)

    assert outcome.error.non_retryable
    assert outcome.error.type == "SmtpRecipientsRefused"
    assert "bounce@x.org: 550" in outcome.error.message
    assert picky.messages == []


async def test_some_recipients_refused_sends_to_the_others(run_action, picky):
    outcome = await run_action("email", mail_to("bounce@x.org, ok@x.org"))

    assert outcome.output["recipients"] == ["ok@x.org"]
    assert outcome.output["refused"] == ["bounce@x.org"]
    assert [m.recipients for m in picky.messages] == [["ok@x.org"]]


async def test_recipient_deferred_is_retried(run_action, picky):
    outcome = await run_action("email", mail_to("later@x.org"), max_attempts=2)

    assert not outcome.error.non_retryable
    assert "450" in outcome.error.message
    assert outcome.retry_state == RetryState.MAXIMUM_ATTEMPTS_REACHED


@pytest.mark.parametrize("smtp_port", [free_port()])  # nothing listens there
async def test_smtp_server_down_is_retried(run_action):
    outcome = await run_action("email", mail_to("a@x.org"), max_attempts=2)

    assert outcome.error.type == "SmtpUnavailable"
    assert not outcome.error.non_retryable
    assert outcome.retry_state == RetryState.MAXIMUM_ATTEMPTS_REACHED
