"""wait_for_event at the workflow level: early events are kept, each consumed once."""

from typing import Any

from temporalio.client import WorkflowHandle

from interpreter.contract import EVENT_SIGNAL, EventPayload
from tests.interpreter.conftest import Runner


def review(upload: str, event_id: str, decision: str = "approved") -> EventPayload:
    return EventPayload(id=event_id, name="api/contact_list.reviewed",
                        data={"upload_id": upload, "decision": decision})  # fmt: skip


WAIT = {"type": "wait_for_event", "id": "review",
        "data": {"event": "api/contact_list.reviewed", "match": "data.upload_id", "timeout": "7d"}}  # fmt: skip


async def test_event_sent_before_the_wait_is_not_lost(run_flow: Runner) -> None:
    async def early(handle: WorkflowHandle[Any, Any]) -> None:
        await handle.signal(EVENT_SIGNAL, review("u1", "e1"))  # while the run still sleeps

    done = await run_flow({"name": "w", "actions": [{"type": "sleep", "data": {"duration": "1h"}}, WAIT]},
                          data={"upload_id": "u1"}, before_result=early)  # fmt: skip
    assert done.result["output"]["data"]["decision"] == "approved"


async def test_other_uploads_do_not_match_and_timeout_gives_null(run_flow: Runner) -> None:
    async def wrong(handle: WorkflowHandle[Any, Any]) -> None:
        await handle.signal(EVENT_SIGNAL, review("other", "e2"))

    done = await run_flow({"name": "w", "actions": [WAIT, {"type": "test_echo", "data": {
        "value": "{{ steps.review.output = null ? 'timed out' : 'got it' }}"}}]},
        data={"upload_id": "u1"}, before_result=wrong)  # fmt: skip
    assert done.result["output"]["value"] == "timed out"
    wait = done.step("review")
    assert (wait.ended_at - wait.started_at).days == 7


async def test_each_event_is_consumed_once_and_duplicates_ignored(run_flow: Runner) -> None:
    async def twice(handle: WorkflowHandle[Any, Any]) -> None:
        await handle.signal(EVENT_SIGNAL, review("u1", "same"))
        await handle.signal(EVENT_SIGNAL, review("u1", "same"))  # the same event delivered again

    second = {**WAIT, "id": "again", "data": {**WAIT["data"], "timeout": "1d"}}
    done = await run_flow({"name": "w", "actions": [WAIT, second]},
                          data={"upload_id": "u1"}, before_result=twice)  # fmt: skip
    assert done.step("review").output["id"] == "same"
    assert done.step("again").output is None


async def test_if_condition_sees_the_candidate_and_the_trigger(run_flow: Runner) -> None:
    async def two(handle: WorkflowHandle[Any, Any]) -> None:
        await handle.signal(EVENT_SIGNAL, review("u1", "r1", decision="maybe"))
        await handle.signal(EVENT_SIGNAL, review("u1", "r2", decision="rejected"))

    step = {**WAIT, "data": {**WAIT["data"], "if": "event.data.decision in ['approved', 'rejected']"}}
    done = await run_flow({"name": "w", "actions": [step]}, data={"upload_id": "u1"}, before_result=two)
    assert done.result["output"]["id"] == "r2"
