"""Running a test run: ``RelayRun`` itself, on a ``DryEngine``, then every step's trace."""

import asyncio
import time
from datetime import UTC, datetime
from typing import Any

from temporalio.exceptions import ApplicationError

from interpreter import engine
from interpreter.contract import EventPayload, Progress, RunInput, StepView
from interpreter.definition import CompiledDefinition, Step
from interpreter.dry_run.engine import DeadlineExceeded, DryEngine, Trace
from interpreter.dry_run.models import DryRunRequest, DryRunResult, DryRunStep
from interpreter.steps.foreach import Foreach
from interpreter.workflow import RelayRun


def run_dry_sync(request: DryRunRequest) -> DryRunResult:
    """``run_dry`` on an event loop of its own (call it in a worker thread)."""
    return asyncio.run(run_dry(request))


async def run_dry(request: DryRunRequest) -> DryRunResult:
    """Run ``request.definition`` as a real run would, every action mocked; see the package."""
    trace = Trace(request=request, clock=datetime.now(UTC), deadline=time.monotonic() + request.deadline)
    run_id = "test"
    top = DryEngine(trace, run_id=run_id)
    run_input = RunInput(
        run_id=run_id,
        account_id=request.account_id,
        workflow_id=request.workflow_id,
        version=request.version,
        definition=request.definition,
        event=request.event,
        input=request.input,
    )
    progress = await run_workflow(top, run_input, events=request.events)
    # Children nobody waited for (``invoke`` with ``wait: false``) finish too, for the trace.
    while pending := [task for task in trace.tasks if not task.done()]:
        await asyncio.wait(pending, timeout=max(0.0, trace.deadline - time.monotonic()))
        if time.monotonic() > trace.deadline:
            break
    return DryRunResult(
        status=progress.status,
        output=progress.output,
        error=progress.error,
        steps=_steps(request.definition, progress.steps, trace),
    )


async def run_workflow(dry: DryEngine, run_input: RunInput, *, events: list[EventPayload]) -> Progress:
    """One run of the workflow class real runs use, on ``dry``; its progress as it ended."""
    relay = RelayRun()
    for event in events:
        relay.relay_event(event)  # as the API signals a run it matches
    with engine.use(dry):
        try:
            await relay.run(run_input)
        except ApplicationError as failed:
            # A failed run fails its workflow; the progress says how.
            if failed.type != "StepFailed":
                raise
        except DeadlineExceeded as exc:
            return relay.progress().model_copy(update={"status": "failed", "error": str(exc)})
    return relay.progress()


def _steps(
    definition: CompiledDefinition, views: list[StepView], trace: Trace, prefix: str = ""
) -> list[DryRunStep]:
    """Every step of the definition in document order: what it did, or ``skipped`` if it never
    ran (an untaken branch, a step after the run ended). Steps inside a ``foreach`` run once
    per item and are not tracked, as in real runs: the foreach's output holds their results."""
    by_id = {view.id: view for view in views}
    out: list[DryRunStep] = []
    for step in _tracked(definition.nodes):
        reported = prefix + (step.id or "")
        view = by_id.get(step.id or "")
        out.append(_step(reported, step, view, trace.data.get(reported)))
        child = trace.children.get(reported)
        if child is not None:
            child_definition, progress = child
            out.extend(_steps(child_definition, progress.steps, trace, prefix=f"{reported}."))
    return out


def _step(reported: str, step: Step, view: StepView | None, data: Any) -> DryRunStep:
    if view is None:
        return DryRunStep(id=reported, type=step.type, status="skipped")
    return DryRunStep(
        id=reported,
        type=view.type,
        status=view.status,
        data=data,
        output=view.output,
        error=view.error,
        attempts=view.attempts,
    )


def _tracked(steps: list[Step]) -> list[Step]:
    out: list[Step] = []
    for step in steps:
        out.append(step)
        if isinstance(step, Foreach):
            continue
        for child in step.children():
            out.extend(_tracked(child.steps))
    return out
