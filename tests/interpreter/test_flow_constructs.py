"""Every flow construct on the real Temporal test server."""

from datetime import datetime

from temporalio.client import WorkflowFailureError

from tests.interpreter.conftest import Runner


def echo(value: object, **extra: object) -> dict[str, object]:
    return {"type": "test_echo", "data": {"value": value}, **extra}


async def test_steps_pass_outputs_and_variables(run_flow: Runner) -> None:
    done = await run_flow(
        {"name": "t", "actions": [
            echo("{{ event.data.x }}"),
            {"type": "set", "data": {"doubled": "{{ steps.test_echo_1.output.value * 2 }}"}},
            echo("{{ vars.doubled + 1 }}", id="last"),
        ]},
        data={"x": 4},
    )  # fmt: skip
    assert done.result == {
        "status": "completed",
        "output": {
            "value": 9,
            "started": done.result["output"]["started"],
            "ended": done.result["output"]["ended"],
        },
        "error": None,
    }
    assert [s.status for s in done.progress.steps] == ["completed"] * 3
    assert done.step("set_2").output == {"doubled": 8}


async def test_filter_false_ends_filtered_and_runs_nothing_after(run_flow: Runner) -> None:
    done = await run_flow(
        {"name": "t", "actions": [
            {"type": "filter", "data": {"field": "status", "value": "go"}}, echo(1)]},
        data={"status": "stop"},
    )  # fmt: skip
    assert done.result["status"] == "filtered"
    assert [s.id for s in done.progress.steps] == ["filter_1"]


async def test_step_if_skips_only_that_step(run_flow: Runner) -> None:
    done = await run_flow(
        {"name": "t", "actions": [echo(1, **{"if": "event.data.x > 10"}), echo(2)]}, data={"x": 1}
    )
    assert done.step("test_echo_1").status == "skipped"
    assert done.result["output"]["value"] == 2


async def test_branch_takes_then_or_else(run_flow: Runner) -> None:
    doc = {"name": "t", "actions": [{"type": "branch", "data": {
        "if": "event.data.amount > 10000",
        "then": [echo("manager")], "else": [echo("wait")]}}]}  # fmt: skip
    big = await run_flow(doc, data={"amount": 20000})
    small = await run_flow(doc, data={"amount": 5})
    assert big.result["output"]["value"] == "manager"
    assert small.result["output"]["value"] == "wait"
    assert big.step("branch_1_then_test_echo_1").status == "completed"
    assert "branch_1_else_test_echo_1" not in {s.id for s in big.progress.steps}


async def test_parallel_branches_overlap_in_time(run_flow: Runner) -> None:
    done = await run_flow({"name": "t", "actions": [{"type": "parallel", "data": {"branches": [
        [echo("a", data={"value": "a", "delay_ms": 400})],
        [echo("b", data={"value": "b", "delay_ms": 400})],
    ]}}]})  # fmt: skip
    a, b = done.result["output"]
    start_a, end_a = datetime.fromisoformat(a["started"]), datetime.fromisoformat(a["ended"])
    start_b, end_b = datetime.fromisoformat(b["started"]), datetime.fromisoformat(b["ended"])
    assert start_a < end_b and start_b < end_a, "parallel branches ran one after the other"


async def test_parallel_failure_fails_the_run_unless_continue(run_flow_dev: Runner) -> None:
    # On the dev server: the failure cancels the sibling's activity and schedules the run's
    # recording in one workflow task; when the sibling completed meanwhile, the time-skipping
    # test server rejects the cancel (ACTIVITY_UNKNOWN) and the run stalls, a real server does not.
    run_flow = run_flow_dev
    branches = [[{"type": "test_flaky", "data": {"permanent": True}}], [echo("ok")]]
    failed = await run_flow({"name": "t", "actions": [{"type": "parallel", "data": {"branches": branches}}]})
    assert isinstance(failed.error, WorkflowFailureError)
    assert "this cannot work" in str(failed.error.cause)
    tolerant = await run_flow({"name": "t", "actions": [
        {"type": "parallel", "on_error": "continue", "data": {"branches": branches}}]})  # fmt: skip
    assert tolerant.result["status"] == "completed"
    assert tolerant.result["output"][0] is None and tolerant.result["output"][1]["value"] == "ok"


async def test_foreach_respects_concurrency_and_keeps_order(run_flow: Runner) -> None:
    done = await run_flow({"name": "t", "actions": [{"type": "foreach", "data": {
        "items": "event.data.contacts", "concurrency": 2,
        "do": [{"type": "test_echo", "data": {"value": "{{ item.name }}#{{ index }}", "delay_ms": 200}}],
    }}]}, data={"contacts": [{"name": n} for n in "abcde"]})  # fmt: skip
    outputs = done.result["output"]
    assert [o["value"] for o in outputs] == [f"{n}#{i}" for i, n in enumerate("abcde")]
    spans = [(datetime.fromisoformat(o["started"]), datetime.fromisoformat(o["ended"])) for o in outputs]
    most_at_once = max(sum(1 for s, e in spans if s <= t < e) for t, _ in spans)
    assert 1 <= most_at_once <= 2, "foreach ran more items at once than its concurrency"


async def test_retry_then_success_counts_attempts(run_flow: Runner) -> None:
    done = await run_flow({"name": "t", "actions": [{"type": "test_flaky", "data": {"fail_times": 2}}]})
    assert done.step("test_flaky_1").attempts == 3
    assert done.result["output"]["value"] == 3


async def test_on_error_continue_and_goto(run_flow: Runner) -> None:
    cont = await run_flow({"name": "t", "actions": [
        {"type": "test_flaky", "on_error": "continue", "data": {"permanent": True}}, echo("after")]})  # fmt: skip
    assert cont.result["output"]["value"] == "after"
    assert cont.step("test_flaky_1").status == "failed"
    assert "this cannot work" in cont.step("test_flaky_1").error
    goto = await run_flow({"name": "g", "nodes": [
        {"id": "risky", "type": "test_flaky", "on_error": "recover", "data": {"permanent": True}},
        {"id": "normal", "type": "test_echo", "data": {"value": "normal"}},
        {"id": "recover", "type": "test_echo", "data": {"value": "recovered"}},
    ], "edges": [{"source": "$trigger", "target": "risky"}, {"source": "risky", "target": "normal"},
                 {"source": "$trigger", "target": "recover", "if": "false"}]})  # fmt: skip
    assert goto.step("normal").status == "skipped"
    assert goto.step("recover").status == "completed"


async def test_return_and_fail_end_the_run(run_flow: Runner) -> None:
    ret = await run_flow({"name": "t", "actions": [
        {"type": "return", "data": {"output": {"n": "{{ event.data.n }}"}}}, echo("never")]}, data={"n": 3})  # fmt: skip
    assert ret.result == {"status": "completed", "output": {"n": 3}, "error": None}
    fail = await run_flow({"name": "t", "actions": [{"type": "fail", "data": {"message": "nope {{ event.data.n }}"}}]},
                          data={"n": 3})  # fmt: skip
    assert isinstance(fail.error, WorkflowFailureError)
    assert fail.progress.status == "failed" and "nope 3" in fail.progress.error


async def test_sleep_is_a_durable_timer(run_flow: Runner) -> None:
    done = await run_flow({"name": "t", "actions": [{"type": "sleep", "data": {"duration": "P3D"}}, echo(1)]})
    sleep = done.step("sleep_1")
    assert (sleep.ended_at - sleep.started_at).days == 3


async def test_graph_runs_independent_nodes_in_parallel_and_joins(run_flow: Runner) -> None:
    done = await run_flow({"name": "g", "nodes": [
        {"id": "start", "type": "test_echo", "data": {"value": 1}, "position": {"x": 0, "y": 0}},
        {"id": "left", "type": "test_echo", "data": {"value": "l", "delay_ms": 300}},
        {"id": "right", "type": "test_echo", "data": {"value": "r", "delay_ms": 300}},
        {"id": "join", "type": "test_echo",
         "data": {"value": "{{ steps.left.output.value & steps.right.output.value }}"}},
    ], "edges": [
        {"source": "start", "target": "left"}, {"source": "start", "target": "right"},
        {"source": "left", "target": "join"}, {"source": "right", "target": "join"},
    ]})  # fmt: skip
    assert done.result["output"]["value"] == "lr"
    left, right = done.step("left"), done.step("right")
    assert left.started_at < right.ended_at and right.started_at < left.ended_at


async def test_graph_edge_conditions_route(run_flow: Runner) -> None:
    doc = {"name": "g", "nodes": [
        {"id": "check", "type": "test_echo", "data": {"value": "{{ event.data.amount }}"}},
        {"id": "big", "type": "test_echo", "data": {"value": "big"}},
        {"id": "small", "type": "test_echo", "data": {"value": "small"}},
        {"id": "after_big", "type": "test_echo", "data": {"value": "after"}},
    ], "edges": [
        {"source": "check", "target": "big", "if": "steps.check.output.value > 100"},
        {"source": "check", "target": "small", "if": "steps.check.output.value <= 100"},
        {"source": "big", "target": "after_big"},
    ]}  # fmt: skip
    done = await run_flow(doc, data={"amount": 5})
    assert done.step("small").status == "completed"
    assert done.step("big").status == "skipped" and done.step("after_big").status == "skipped"
