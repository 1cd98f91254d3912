"""Outputs over Temporal's payload limits travel by reference; history stays small."""

from temporalio.client import WorkflowFailureError

from relay.core.payloads import LIMIT_BYTES
from tests.interpreter.conftest import Runner

FIVE_MB = 5 * 1024 * 1024


async def test_five_megabyte_output_passes_by_reference(run_flow: Runner) -> None:
    done = await run_flow({"name": "big", "actions": [
        {"id": "make", "type": "test_big", "data": {"size": FIVE_MB}},
        {"id": "measure", "type": "test_echo", "data": {"value": "{{ $length(steps.make.output.value) }}"}},
    ]})  # fmt: skip
    assert done.result["output"]["value"] == FIVE_MB
    history = await done.handle.fetch_history()
    size = sum(event.ByteSize() for event in history.events)
    assert size < 256 * 1024, f"history holds {size} bytes: the output was not stored outside"


async def test_output_over_relays_limit_fails_the_step_clearly(run_flow: Runner) -> None:
    done = await run_flow({"name": "huge", "actions": [
        {"id": "make", "type": "test_big", "data": {"size": LIMIT_BYTES + 1}}]})  # fmt: skip
    assert isinstance(done.error, WorkflowFailureError)
    assert "over Relay's limit" in done.step("make").error
    assert done.step("make").attempts == 1
