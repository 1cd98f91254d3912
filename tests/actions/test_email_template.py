"""email from an account's stored template, rendered with the event's data, over real SMTP."""

from temporalio.exceptions import RetryState


async def test_template_rendered_with_event_data_to_every_recipient(run_action, smtp, store_template):
    store_template(
        "proposal",
        subject="Your proposal, {{ name }}",
        text="Hello {{ name }}, your proposal {{ proposal.id }} is ready.",
        html="<p>Hello {{ name }}</p>",
    )
    event_data = {"name": "Ada <Lovelace>", "proposal": {"id": "P-12"}, "leadEmail": "ada@x.org"}

    outcome = await run_action(
        "email",
        {
            "template": "proposal",
            "to": "ada@x.org, Sales <sales@y.org>",
            "cc": ["boss@y.org"],
            "bcc": "audit@y.org",
            "context": event_data,
        },
    )

    assert outcome.error is None, outcome.error
    assert outcome.output["recipients"] == ["ada@x.org", "sales@y.org", "boss@y.org", "audit@y.org"]
    [mail] = smtp.messages
    assert sorted(mail.recipients) == ["ada@x.org", "audit@y.org", "boss@y.org", "sales@y.org"]
    assert mail.sender == "relay@example.test"
    message = mail.message
    assert message["Subject"] == "Your proposal, Ada <Lovelace>"
    assert message["To"] == "ada@x.org, Sales <sales@y.org>"
    assert message["Cc"] == "boss@y.org"
    assert message["Bcc"] is None
    assert message["Message-ID"] == outcome.output["message_id"]
    text, html = (part.get_payload(decode=True).decode() for part in message.get_payload())
    assert "Hello Ada <Lovelace>, your proposal P-12 is ready." in text
    assert "<p>Hello Ada &lt;Lovelace&gt;</p>" in html


async def test_unknown_template_fails_for_good(run_action, smtp):
    outcome = await run_action("email", {"template": "nope", "to": "a@x.org"}, max_attempts=5)

    assert outcome.error.non_retryable
    assert outcome.error.type == "UnknownEmailTemplate"
    assert "'nope'" in outcome.error.message
    assert outcome.retry_state == RetryState.NON_RETRYABLE_FAILURE
    assert smtp.messages == []


async def test_missing_template_variable_names_it(run_action, smtp, store_template):
    store_template("hi", subject="Hi", text="Hello {{ first_name }}")

    outcome = await run_action("email", {"template": "hi", "to": "a@x.org", "context": {}})

    assert outcome.error.non_retryable
    assert "first_name" in outcome.error.message
    assert smtp.messages == []
