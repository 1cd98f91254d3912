"""http_request against a local API answering 2xx."""

from tests.support.servers import ReceivedRequest, Reply


async def test_json_answer_is_parsed(run_action, http_server):
    http_server.responder = lambda req: Reply(200, {"id": 7, "tags": ["a"]}, {"X-Request-Id": "r1"})

    outcome = await run_action(
        "http_request",
        {
            "method": "post",
            "url": f"{http_server.url}/contacts",
            "json": {"email": "a@x.org"},
            "query": {"source": "relay", "n": 2},
        },
    )

    assert outcome.error is None, outcome.error
    assert outcome.output["status"] == 200
    assert outcome.output["body"] == {"id": 7, "tags": ["a"]}
    assert outcome.output["headers"]["x-request-id"] == "r1"
    [request] = http_server.requests
    assert request.method == "POST"
    assert request.path == "/contacts?source=relay&n=2"
    assert request.json() == {"email": "a@x.org"}


async def test_text_answer_stays_text(run_action, http_server):
    def answer(req: ReceivedRequest) -> Reply:
        return Reply(200, b"plain words", {"Content-Type": "text/plain; charset=utf-8"})

    http_server.responder = answer

    outcome = await run_action("http_request", {"method": "PUT", "url": f"{http_server.url}/notes/1", "body": "raw"})

    assert outcome.output["body"] == "plain words"
    assert http_server.requests[0].body == b"raw"
