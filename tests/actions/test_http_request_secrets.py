"""A secret in a header reaches the server, never the step's output or error."""

import json

from tests.support.servers import ReceivedRequest, Reply

TOKEN = "crm-token-5f2a9c"


def echo(status: int):
    def answer(req: ReceivedRequest) -> Reply:
        return Reply(status, {"you_sent": req.headers.get("authorization")})

    return answer


async def test_secret_header_is_sent_and_redacted_from_output(run_action, http_server, store_secret):
    store_secret("CRM_TOKEN", TOKEN)
    http_server.responder = echo(200)

    outcome = await run_action(
        "http_request",
        {"url": f"{http_server.url}/me", "headers": {"Authorization": "Bearer {{ secrets.CRM_TOKEN }}"}},
    )

    assert http_server.requests[0].headers["authorization"] == f"Bearer {TOKEN}"
    assert outcome.output["body"] == {"you_sent": "Bearer [redacted]"}
    assert TOKEN not in json.dumps(outcome.output)


async def test_secret_is_redacted_from_error(run_action, http_server, store_secret):
    store_secret("CRM_TOKEN", TOKEN)
    http_server.responder = echo(401)

    outcome = await run_action(
        "http_request",
        {"url": f"{http_server.url}/me", "headers": {"Authorization": "Bearer {{ secrets.CRM_TOKEN }}"}},
    )

    assert outcome.error.non_retryable
    assert "401" in outcome.error.message
    assert TOKEN not in outcome.error.message
