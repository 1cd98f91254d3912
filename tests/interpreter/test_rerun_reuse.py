"""A rerun's reused steps (``RunInput.reuse``) are not executed, also after continue-as-new."""

import uuid

import httpx
from sqlalchemy import Engine
from temporalio.testing import WorkflowEnvironment

from activities.registry import load_actions
from interpreter.compile import compile_definition
from interpreter.contract import Progress, RunInput
from relay.core.settings import Settings
from relay.core.temporal import with_relay_converter
from tests.interpreter.echo_actions import CALLS
from tests.support.flows import run_histories
from worker.build import build_worker


async def test_reused_steps_are_skipped_across_continue_as_new(
    dev_env: WorkflowEnvironment, flow_settings: Settings, engine: Engine
) -> None:
    # e1..e10 run, r11..r20 are reused, e21..e30 run; a short history limit makes the run
    # continue as new before it reaches the reused ones.
    ids = [f"e{i}" if not 11 <= i <= 20 else f"r{i}" for i in range(1, 31)]
    steps = [{"id": step_id, "type": "test_echo", "data": {"value": step_id}} for step_id in ids]
    steps[-1]["data"] = {"value": "{{ steps.r15.output.value }}"}
    compiled = compile_definition(
        {"name": "rerun", "actions": steps}, load_actions(flow_settings.action_modules)
    )
    reuse = {f"r{i}": {"value": f"recorded {i}"} for i in range(11, 21)}
    run_id = f"run-{uuid.uuid4().hex[:8]}"
    client = with_relay_converter(dev_env.client, engine, settings=flow_settings)
    async with (
        httpx.AsyncClient() as http,
        build_worker(dev_env.client, settings=flow_settings, engine=engine, http=http),
    ):
        handle = await client.start_workflow(
            "RelayRun",
            RunInput(
                run_id=run_id, account_id="acct", workflow_id="wf", version=1,
                definition=compiled.definition, history_limit=30, reuse=reuse,
            ),
            id=f"relay-test-{uuid.uuid4()}",
            task_queue=flow_settings.task_queue,
        )  # fmt: skip
        result = await handle.result()
        progress = await handle.query("progress", result_type=Progress)
        histories = await run_histories(handle)

    assert len(histories) > 1, "the run should have continued as new"
    assert result["status"] == "completed" and result["output"]["value"] == "recorded 15"
    assert [step_id for step_id, _value in CALLS[run_id]] == [i for i in ids if i.startswith("e")]
    views = {view.id: view for view in progress.steps}
    assert all(views[f"r{i}"].reused and views[f"r{i}"].output == reuse[f"r{i}"] for i in range(11, 21))
    assert not any(views[f"e{i}"].reused for i in (1, 21))


async def test_a_reused_set_step_sets_its_variables_again(
    dev_env: WorkflowEnvironment, flow_settings: Settings, engine: Engine
) -> None:
    steps = [
        {"id": "remember", "type": "set", "data": {"plan": "{{ input.plan }}"}},
        {"id": "use", "type": "test_echo", "data": {"value": "{{ vars.plan }}"}},
    ]
    compiled = compile_definition({"name": "vars", "actions": steps}, load_actions(flow_settings.action_modules))
    client = with_relay_converter(dev_env.client, engine, settings=flow_settings)
    async with (
        httpx.AsyncClient() as http,
        build_worker(dev_env.client, settings=flow_settings, engine=engine, http=http),
    ):
        result = await client.execute_workflow(
            "RelayRun",
            RunInput(
                run_id=f"run-{uuid.uuid4().hex[:8]}", account_id="acct", workflow_id="wf", version=1,
                definition=compiled.definition, input={"plan": "changed since"},
                reuse={"remember": {"plan": "recorded pro"}},
            ),
            id=f"relay-test-{uuid.uuid4()}",
            task_queue=flow_settings.task_queue,
        )  # fmt: skip

    # The reused step's recorded variables stand, not a fresh rendering of its data.
    assert result["output"]["value"] == "recorded pro"
