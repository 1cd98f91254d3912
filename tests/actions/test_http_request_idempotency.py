"""http_request sends one Idempotency-Key per step, the same on every retry (SPEC §10)."""

from tests.support.servers import ReceivedRequest, Reply


async def test_the_key_is_the_same_on_every_attempt(run_action, http_server):
    answers = iter([Reply(503, {"error": "busy"}), Reply(200, {"ok": True})])
    http_server.responder = lambda req: next(answers)

    outcome = await run_action(
        "http_request", {"method": "POST", "url": f"{http_server.url}/charge"}, max_attempts=2
    )

    assert outcome.error is None, outcome.error
    assert outcome.attempt == 2
    assert [r.headers.get("idempotency-key") for r in http_server.requests] == ["run_1:http_request"] * 2


async def test_a_key_the_step_sets_wins(run_action, http_server):
    def answer(req: ReceivedRequest) -> Reply:
        return Reply(200, {"ok": True})

    http_server.responder = answer

    await run_action(
        "http_request", {"url": f"{http_server.url}/charge", "headers": {"idempotency-key": "order-42"}}
    )

    [request] = http_server.requests
    assert request.headers.get("idempotency-key") == "order-42"
