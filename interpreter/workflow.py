"""RelayRun: the one generic workflow. It interprets a pinned, compiled definition.

Deterministic and sandbox-safe: no I/O, time from ``workflow.now()``, actions are
activities called by their registered name, sleeps are timers, waits are signals.
"""

from temporalio import workflow
from temporalio.exceptions import ApplicationError

with workflow.unsafe.imports_passed_through():
    from interpreter.contract import (
        EVENT_SIGNAL,
        PROGRESS_QUERY,
        WORKFLOW_NAME,
        EventPayload,
        Progress,
        RunInput,
        RunResult,
    )
    from interpreter.definition import CompiledDefinition
    from interpreter.inbox import Inbox
    from interpreter.state import RunEnded, RunState, StepFailed
    from interpreter.steps_exec import Interpreter


@workflow.defn(name=WORKFLOW_NAME)
class RelayRun:
    def __init__(self) -> None:
        self._inbox = Inbox()
        self._state: RunState | None = None
        self._result = Progress()

    @workflow.run
    async def run(self, run_input: RunInput) -> RunResult:
        definition = CompiledDefinition.model_validate(run_input.definition)
        self._state = RunState(input=run_input, started_at=workflow.now())
        interpreter = Interpreter(self._state, self._inbox)
        try:
            output = await interpreter.runner.run_graph(
                definition.nodes, definition.edges, definition.entry, self._state.root, track=True
            )
            result = RunResult(status="completed", output=output)
        except RunEnded as ended:
            result = RunResult(status=ended.status, output=ended.output)  # type: ignore[arg-type]
        except StepFailed as failed:
            self._result = Progress(status="failed", error=str(failed))
            # Failing the workflow itself shows the run as Failed in the Temporal Web UI.
            raise ApplicationError(str(failed), type="StepFailed", non_retryable=True) from None
        self._result = Progress(status=result.status, output=result.output)
        return result

    @workflow.query(name=PROGRESS_QUERY)
    def progress(self) -> Progress:
        steps = list(self._state.views.values()) if self._state else []
        return self._result.model_copy(update={"steps": steps})

    @workflow.signal(name=EVENT_SIGNAL)
    def relay_event(self, event: EventPayload) -> None:
        self._inbox.deliver(event)
