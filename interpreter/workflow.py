"""RelayRun: the one generic workflow. It interprets a pinned, compiled definition.

Deterministic and sandbox-safe: no I/O, time from ``workflow.now()``, actions are
activities called by their registered name, sleeps are timers, waits are signals.
Long runs continue as new, carrying their state, so no history grows without bound.
"""

import asyncio

from temporalio import workflow
from temporalio.exceptions import ApplicationError

with workflow.unsafe.imports_passed_through():
    from interpreter import engine
    from interpreter.attributes import set_run_id, set_status
    from interpreter.contract import (
        EVENT_SIGNAL,
        PROGRESS_QUERY,
        WORKFLOW_NAME,
        Checkpoint,
        EventPayload,
        Progress,
        RunInput,
        RunResult,
    )
    from interpreter.failures import RunEnded, StepFailed
    from interpreter.frame import Interpreter
    from interpreter.inbox import Inbox
    from interpreter.lifecycle import record_end, record_start, records_lifecycle
    from interpreter.memory import RunMemory
    from interpreter.runner import Paused
    from interpreter.summaries import uses_step_activity_ids


@workflow.defn(name=WORKFLOW_NAME)
class RelayRun:
    def __init__(self) -> None:
        self._inbox = Inbox()
        self._state: RunMemory | None = None
        self._result = Progress()

    @workflow.run
    async def run(self, run_input: RunInput) -> RunResult:
        definition = run_input.definition
        resume = run_input.resume
        self._state = RunMemory(input=run_input, started_at=resume.started_at if resume else engine.now())
        # Asked once, in the execution's first workflow task (see ``uses_step_activity_ids``).
        self._state.step_activity_ids = uses_step_activity_ids()
        if resume is not None:
            self._restore(resume)
        interpreter = Interpreter(self._state, self._inbox)
        try:
            if resume is None and records_lifecycle(run_input):
                # Inside the try: a run cancelled while it records its start still records its end.
                await self._record_start()
            output = await interpreter.runner.resume_graph(
                definition.nodes,
                definition.edges,
                resume.ready if resume else definition.entry,
                self._state.root,
                track=True,
                pausable=True,
                edge_taken={int(k): v for k, v in resume.edge_taken.items()} if resume else None,
                settled=resume.settled if resume else [],
                last_output=resume.last_output if resume else None,
            )
            result = RunResult(status="completed", output=output)
        except Paused as paused:
            checkpoint = self._checkpoint(paused)
            engine.continue_as_new(self._state.input.model_copy(update={"resume": checkpoint}))
        except RunEnded as ended:
            result = RunResult(status=ended.status, output=ended.output)
        except asyncio.CancelledError:
            # Cancelled through the API or by a ``cancel_on`` event: record it, then let
            # Temporal close the run as Cancelled.
            self._result = Progress(status="cancelled")
            await self._record_end()
            raise
        except StepFailed as failed:
            self._result = Progress(status="failed", error=str(failed))
            await self._record_end()
            # Failing the workflow itself shows the run as Failed in the Temporal Web UI.
            raise ApplicationError(str(failed), type="StepFailed", non_retryable=True) from None
        self._result = Progress(status=result.status, output=result.output)
        await self._record_end()
        return result

    async def _record_start(self) -> None:
        assert self._state is not None
        # A scheduled fire's input names its schedule; the recording gives it its own run id.
        run_id = await record_start(self._state.input)
        self._state.input = self._state.input.model_copy(update={"run_id": run_id})
        set_run_id(run_id)

    async def _record_end(self) -> None:
        assert self._state is not None
        if records_lifecycle(self._state.input):
            result = self._result
            steps = list(self._state.views.values())
            # Before the recording: the run is findable by its Relay status as soon as it ends.
            set_status(result.status)
            await record_end(
                self._state.input, status=result.status, output=result.output, error=result.error, steps=steps
            )

    def _restore(self, resume: Checkpoint) -> None:
        assert self._state is not None
        self._state.root.outputs.update(resume.outputs)
        self._state.vars.update(resume.vars)
        self._state.views = {view.id: view for view in resume.steps}
        for event in resume.pending_events:
            self._inbox.deliver(event)
        self._inbox.seen.update(resume.seen_events)

    def _checkpoint(self, paused: Paused) -> Checkpoint:
        assert self._state is not None
        previous = self._state.input.resume
        return Checkpoint(
            started_at=self._state.started_at,
            outputs=self._state.root.outputs,
            vars=self._state.vars,
            steps=list(self._state.views.values()),
            edge_taken={str(k): v for k, v in paused.edge_taken.items()},
            settled=paused.settled,
            ready=paused.ready,
            last_output=paused.last_output,
            pending_events=self._inbox.pending,
            seen_events=sorted(self._inbox.seen),
            continued=(previous.continued + 1) if previous else 1,
        )

    @workflow.query(name=PROGRESS_QUERY)
    def progress(self) -> Progress:
        steps = list(self._state.views.values()) if self._state else []
        return self._result.model_copy(update={"steps": steps})

    @workflow.signal(name=EVENT_SIGNAL)
    def relay_event(self, event: EventPayload) -> None:
        self._inbox.deliver(event)
