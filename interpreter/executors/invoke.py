"""Runs ``invoke``: a child run of another published workflow, pinned to its live version."""

from datetime import timedelta
from typing import Any

from temporalio.common import TypedSearchAttributes
from temporalio.workflow import ParentClosePolicy

from interpreter import engine
from interpreter.contract import (
    PREPARE_INVOKE_ACTIVITY,
    RELAY_ACCOUNT,
    WORKFLOW_NAME,
    InvokeRequest,
    InvokeTarget,
    RunInput,
    RunResult,
    search_attributes,
)
from interpreter.executors.base import StepRun, executes
from interpreter.memory import Scope
from interpreter.steps.invoke import Invoke
from interpreter.summaries import summary


@executes(Invoke)
async def run_invoke(step: Invoke, run: StepRun, scope: Scope, track: bool) -> dict[str, Any]:
    run_input = run.render(step.data.input, scope)
    parent = run.memory.input
    target = await engine.execute_activity(
        PREPARE_INVOKE_ACTIVITY,
        InvokeRequest(
            account_id=parent.account_id,
            workflow=step.data.workflow,
            run_id=str(engine.uuid4()),
            parent_run_id=parent.run_id,
            input=run_input if isinstance(run_input, dict) else {"value": run_input},
        ),
        result_type=InvokeTarget,
        start_to_close_timeout=timedelta(seconds=30),
        summary=f"{summary(step.id or '', step.type, scope)} · prepare {step.data.workflow}",
    )
    child = target.input
    handle = await engine.start_child_workflow(
        WORKFLOW_NAME,
        child,
        id=target.temporal_workflow_id,
        result_type=RunResult,
        parent_close_policy=ParentClosePolicy.TERMINATE if step.data.wait else ParentClosePolicy.ABANDON,
        search_attributes=_child_attributes(child),
        static_summary=f"invoked by {parent.run_id} step {step.id}",
    )
    if not step.data.wait:
        return {"run_id": child.run_id}
    result = await handle
    return {"run_id": child.run_id, "status": result.status, "output": result.output}


def _child_attributes(child: RunInput) -> TypedSearchAttributes | None:
    """The child's own attributes, where the parent's run carries Relay's attributes."""
    if not engine.search_attribute(RELAY_ACCOUNT):
        return None
    return search_attributes(child.model_copy(update={"event": None}))
