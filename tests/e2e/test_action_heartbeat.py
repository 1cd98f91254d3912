"""Every action step is scheduled with a heartbeat timeout: the step's own, else the worker's
RELAY_ACTION_HEARTBEAT_TIMEOUT (filled into the run by worker.run_defaults)."""

from datetime import timedelta

from sqlalchemy import Engine
from temporalio.testing import WorkflowEnvironment

from relay.core.settings import Settings
from tests.support.api_calls import finished, post_event, publish
from tests.support.stack import relay_stack

TWO_LOGS = {
    "name": "Two logs",
    "trigger": {"event": "beat/go"},
    "actions": [
        {"id": "plain", "type": "log", "data": {"message": "no heartbeat of its own"}},
        {"id": "own", "type": "log", "data": {"message": "its own"}, "heartbeat": "7s"},
    ],
}


async def test_steps_get_the_setting_unless_they_set_their_own(
    dev_env: WorkflowEnvironment, settings: Settings, engine: Engine
) -> None:
    settings = settings.model_copy(update={"action_heartbeat_timeout": 4.0})
    async with relay_stack(dev_env.client, settings=settings, engine=engine) as [api]:
        await publish(api, TWO_LOGS)
        [run_id] = (await post_event(api, "beat/go", {}))["runs"]
        run = await finished(api, run_id, seconds=30)
        assert run["status"] == "completed", run
        history = await dev_env.client.get_workflow_handle(run["temporal_workflow_id"]).fetch_history()

    scheduled = [
        e.activity_task_scheduled_event_attributes
        for e in history.events
        if e.HasField("activity_task_scheduled_event_attributes")
    ]
    beats = [a.heartbeat_timeout.ToTimedelta() for a in scheduled if a.activity_type.name == "log"]
    assert beats == [timedelta(seconds=4), timedelta(seconds=7)]
