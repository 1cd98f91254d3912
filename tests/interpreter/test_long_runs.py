"""Long definitions continue as new with their state: every history stays bounded."""

from tests.interpreter.conftest import Runner, run_histories

TEMPORAL_HISTORY_WARNING = 10_240


async def test_thousand_step_definition_completes_in_bounded_histories(run_flow_dev: Runner) -> None:
    steps = [{"type": "set", "data": {"n": 0}}] + [
        {"type": "test_echo", "data": {"value": "{{ vars.n }}"}} for _ in range(999)
    ]
    steps[-1] = {"id": "last", "type": "test_echo", "data": {"value": "{{ $count($keys(steps)) }}"}}
    done = await run_flow_dev({"name": "long", "actions": steps})
    counts = [len(h.events) for h in await run_histories(done.handle)]
    print(f"1,000 steps: {len(counts)} runs, history lengths {counts}")  # noqa: T201
    assert len(counts) > 1, "a 1,000-step run should have continued as new"
    assert max(counts) < TEMPORAL_HISTORY_WARNING
    assert done.result["status"] == "completed"
    assert done.result["output"]["value"] == 999, "earlier steps' outputs were not carried across runs"
    assert len(done.progress.steps) == 1000
    assert all(s.status == "completed" for s in done.progress.steps)


async def test_ten_thousand_item_foreach_splits_into_bounded_child_runs(run_flow_dev: Runner) -> None:
    done = await run_flow_dev({"name": "many", "actions": [
        {"type": "set", "data": {"factor": 3}},
        {"id": "each", "type": "foreach", "data": {
            "items": "input.items", "concurrency": 50,
            "do": [{"type": "test_echo", "data": {"value": "{{ item * vars.factor + index }}"}}]}},
    ]}, run_input={"items": list(range(10_000))})  # fmt: skip
    values = [o["value"] for o in done.result["output"]]
    assert values == [i * 3 + i for i in range(10_000)]
    parent = await done.handle.fetch_history()
    child_ids = [
        e.start_child_workflow_execution_initiated_event_attributes.workflow_id
        for e in parent.events
        if e.HasField("start_child_workflow_execution_initiated_event_attributes")
    ]
    sizes = [len(parent.events)]
    for child_id in child_ids:
        child = await done.handle._client.get_workflow_handle(child_id).fetch_history()
        sizes.append(len(child.events))
    print(f"10,000 items: parent {sizes[0]} events, {len(child_ids)} children, largest {max(sizes[1:])}")  # noqa: T201
    assert len(child_ids) > 1
    assert max(sizes) < TEMPORAL_HISTORY_WARNING
