"""email without a template, and its input errors."""


async def test_inline_subject_and_text(run_action, smtp):
    outcome = await run_action(
        "email", {"to": ["a@x.org"], "subject": "Ping", "text": "Body", "context": None}
    )

    assert outcome.error is None, outcome.error
    [mail] = smtp.messages
    assert mail.message["Subject"] == "Ping"
    assert mail.message.get_payload(decode=True).decode().strip() == "Body"


async def test_bad_address_fails_for_good(run_action, smtp):
    outcome = await run_action("email", {"to": "not an address", "subject": "s", "text": "t"}, max_attempts=5)

    assert outcome.error.non_retryable
    assert "data.to" in outcome.error.message
    assert smtp.messages == []


async def test_subject_and_text_required_without_template(run_action, smtp):
    outcome = await run_action("email", {"to": "a@x.org", "text": "t"})

    assert outcome.error.non_retryable
    assert "subject" in outcome.error.message
