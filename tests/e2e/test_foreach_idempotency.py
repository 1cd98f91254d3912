"""Each foreach item gets its own idempotency key, the same on every retry of that item
(SPEC §10): ``http_request`` sends ``Idempotency-Key: <run_id>:<step_id>:<index>``."""

import httpx
from sqlalchemy import Engine
from temporalio.testing import WorkflowEnvironment

from relay.core.settings import Settings
from tests.support.api_calls import finished, post_event, publish
from tests.support.servers import HttpServer, ReceivedRequest, Reply
from tests.support.stack import relay_stack


def _charge_each(url: str) -> dict[str, object]:
    return {
        "name": "Charge each line",
        "trigger": {"event": "order/placed"},
        "actions": [
            {
                "id": "lines",
                "type": "foreach",
                "data": {
                    "items": "event.data.lines",
                    "do": [
                        {
                            "id": "charge",
                            "type": "http_request",
                            "data": {"method": "POST", "url": f"{url}/charge/{{{{ index }}}}", "json": "{{ item }}"},
                            "retry": {"max_attempts": 3, "initial_interval": "100ms"},
                        }
                    ],
                },
            }
        ],
    }


async def test_each_item_has_its_own_key_and_keeps_it_on_a_retry(
    dev_env: WorkflowEnvironment, settings: Settings, engine: Engine, http_server: HttpServer
) -> None:
    seen: set[str] = set()

    def busy_once_for_item_1(request: ReceivedRequest) -> Reply:
        if request.path == "/charge/1" and request.path not in seen:
            seen.add(request.path)
            return Reply(503, {"error": "busy"})
        return Reply(200, {"ok": True})

    http_server.responder = busy_once_for_item_1
    api: httpx.AsyncClient
    async with relay_stack(dev_env.client, settings=settings, engine=engine) as [api]:
        await publish(api, _charge_each(http_server.url))
        [run_id] = (await post_event(api, "order/placed", {"lines": ["a", "b", "c"]}))["runs"]
        run = await finished(api, run_id, seconds=30)

    assert run["status"] == "completed", run
    keys = [(r.path, r.headers.get("idempotency-key")) for r in http_server.requests]
    assert keys == [
        ("/charge/0", f"{run_id}:charge:0"),
        ("/charge/1", f"{run_id}:charge:1"),  # answered 503
        ("/charge/1", f"{run_id}:charge:1"),  # the retry: the same key
        ("/charge/2", f"{run_id}:charge:2"),
    ]
