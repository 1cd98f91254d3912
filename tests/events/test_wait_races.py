"""200 races of "run reaches the wait" against "matching event posted": each resumes exactly once."""

import asyncio
from typing import Any

import httpx
from temporalio.testing import WorkflowEnvironment

from tests.support.api_calls import finished, post_event, publish

RACES = 200

RACER = {
    "name": "Racer",
    "trigger": {"event": "race/start"},
    "actions": [
        {"type": "log", "data": {"message": "racing {{ event.data.k }}"}},
        {
            "id": "go",
            "type": "wait_for_event",
            "data": {"event": "race/go", "match": "data.k", "timeout": "10m"},
        },
        {"type": "return", "data": {"output": "{{ steps.go.output.data }}"}},
    ],
}


async def test_every_run_resumes_exactly_once(
    relay_dev: tuple[httpx.AsyncClient, httpx.AsyncClient], dev_env: WorkflowEnvironment
) -> None:
    acme, globex = relay_dev
    await publish(acme, RACER)
    await publish(globex, RACER)
    started = await asyncio.gather(*(post_event(acme, "race/start", {"k": k}) for k in range(RACES)))
    runs = [answer["runs"][0] for answer in started]
    # Each go event lands while its run is somewhere between starting and waiting.
    go = await asyncio.gather(
        *(post_event(acme, "race/go", {"k": k, "nonce": k * 7}, jitter=0.5) for k in range(RACES))
    )
    # An answer is ``pending`` when Temporal did not answer within intake's deadline (a busy
    # machine): the sweeper hands the event on later, and the event then says what it resumed.
    resumed = [await _resumed(acme, answer) for answer in go]
    assert sum(resumed) == RACES
    # Strangers: another account's event with the same key, and a key nobody waits for.
    assert (await post_event(globex, "race/go", {"k": 0}))["resumed"] == 0
    assert (await post_event(acme, "race/go", {"k": RACES + 1}))["resumed"] == 0

    for k, run_id in enumerate(runs):
        run = await finished(acme, run_id, seconds=120)
        assert run["status"] == "completed" and run["output"] == {"k": k, "nonce": k * 7}, run
        history = await dev_env.client.get_workflow_handle(run["temporal_workflow_id"]).fetch_history()
        signals = [e for e in history.events if e.HasField("workflow_execution_signaled_event_attributes")]
        assert len(signals) == 1, f"run {k} got {len(signals)} deliveries"


async def _resumed(api: httpx.AsyncClient, answer: dict[str, Any]) -> int:
    """How many runs the event resumed, once it has been handed on to Temporal."""
    async with asyncio.timeout(120):
        while answer["pending"]:
            await asyncio.sleep(1)
            answer = (await api.get(f"/v1/events/{answer['event_id']}")).json()
    resumed: int = answer["resumed"]
    return resumed
