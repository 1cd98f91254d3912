"""Faults in a definition's data fail their step, for its on_error to handle; they never stall
a run, and an interpreter bug is not one of them."""

from interpreter.failures import STEP_ERRORS
from tests.interpreter.conftest import Runner


def test_a_plain_value_error_is_not_a_step_failure() -> None:
    assert not any(issubclass(ValueError, kind) for kind in STEP_ERRORS)


async def test_faults_of_user_data_fail_only_their_step(run_flow: Runner) -> None:
    done = await run_flow({"name": "t", "actions": [
        {"id": "number", "type": "set", "on_error": "continue", "data": {"n": "{{ $number('x') }}"}},
        {"id": "until", "type": "sleep", "on_error": "continue", "data": {"until": "{{ 1e20 }}"}},
        {"id": "retry", "type": "test_echo", "on_error": "continue", "data": {"value": 1},
         "retry": {"initial_interval": "10s", "max_interval": "1s"}},
        {"id": "last", "type": "test_echo", "data": {"value": "done"}},
    ]})  # fmt: skip
    assert done.result is not None and done.result["status"] == "completed", done.error
    assert "could not convert string to float" in done.step("number").error
    assert "not a timestamp" in done.step("until").error
    assert "max_interval is shorter" in done.step("retry").error
    assert [done.step(s).status for s in ("number", "until", "retry", "last")] == ["failed"] * 3 + ["completed"]
