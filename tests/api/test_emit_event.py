"""``emit_event``: one workflow's step posts an event that starts another workflow."""

import httpx
from temporalio.worker import Worker

from tests.support.api_calls import finished, publish

ORDER_PLACED = "order/placed"
PRODUCER = {
    "name": "Producer",
    "actions": [{"id": "emit", "type": "emit_event", "data": {"name": ORDER_PLACED, "data": {"n": 7}}}],
}
CONSUMER = {
    "name": "Consumer",
    "trigger": {"event": ORDER_PLACED},
    "actions": [{"id": "note", "type": "log", "data": {"message": "order {{ event.data.n }}"}}],
}


async def test_a_step_triggers_another_workflow(api: httpx.AsyncClient, worker: Worker) -> None:
    consumer_id = await publish(api, CONSUMER)
    producer_id = await publish(api, PRODUCER)

    started = await api.post(f"/v1/workflows/{producer_id}/runs")
    producer = await finished(api, started.json()["run_id"])

    assert producer["status"] == "completed", producer
    emitted = {s["id"]: s["output"] for s in producer["steps"]}["emit"]
    [consumer_run_id] = emitted["runs"]
    consumer = await finished(api, consumer_run_id)
    assert (consumer["status"], consumer["workflow_id"]) == ("completed", consumer_id)
    assert consumer["event_id"] == emitted["event_id"]
    assert {s["id"]: s["output"] for s in consumer["steps"]}["note"] == {"message": "order 7"}
