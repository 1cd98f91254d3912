"""The frame every step runs in: its ``if``, timeout, ``on_error`` and progress; the step's
own work is its kind's executor (``interpreter.executors``)."""

import asyncio
from typing import Any

from temporalio.exceptions import is_cancelled_exception

from interpreter import engine, expressions
from interpreter.definition import Step
from interpreter.executors import EXECUTORS, RESTORERS
from interpreter.executors.base import duration
from interpreter.failures import STEP_ERRORS, RunEnded, StepFailed, failure_message
from interpreter.inbox import Inbox
from interpreter.memory import RunMemory, Scope
from interpreter.runner import GraphRunner, Outcome


class Interpreter:
    """Interprets steps for one run; ``RelayRun`` owns it. Executors see it as a ``StepRun``,
    the graph runner as a ``StepRunner``."""

    def __init__(self, memory: RunMemory, inbox: Inbox) -> None:
        self.memory = memory
        self.inbox = inbox
        self.runner = GraphRunner(self)

    def context(self, scope: Scope) -> dict[str, Any]:
        return self.memory.context(scope)

    def history_is_long(self) -> bool:
        return engine.history_is_long(self.memory.input.history_limit)

    def evaluate(self, source: str, scope: Scope) -> Any:
        return expressions.evaluate(source, self.context(scope), now=engine.now())

    def truthy(self, source: str, scope: Scope) -> bool:
        return expressions.truthy(self.evaluate(source, scope))

    def render(self, value: Any, scope: Scope) -> Any:
        return expressions.render(value, self.context(scope), now=engine.now())

    async def run_sequence(self, steps: list[Step], scope: Scope, *, track: bool) -> Any:
        return await self.runner.run_sequence(steps, scope, track=track)

    def mark_not_reached(self, step: Step, *, track: bool) -> None:
        if track:
            self.memory.mark(step.id or "", step.type, "skipped", engine.now())

    async def run_step(self, step: Step, scope: Scope, *, track: bool) -> Outcome:
        step_id = step.id or ""
        mark = self.memory.mark if track else _no_mark
        reuse = self.memory.input.reuse
        if reuse and step_id in reuse and scope is self.memory.root and self._is_top_level(step_id):
            # A rerun: the step completed in the run being rerun; its recorded output stands in.
            output = reuse[step_id]
            scope.outputs[step_id] = output
            if (restore := RESTORERS.get(type(step))) is not None:
                restore(step, self.memory, output)
            mark(step_id, step.type, "running", engine.now())
            mark(step_id, step.type, "completed", engine.now(), output=output, reused=True)
            return Outcome("completed", output)
        if step.if_ is not None and not self.truthy(step.if_, scope):
            mark(step_id, step.type, "skipped", engine.now())
            return Outcome("skipped")
        mark(step_id, step.type, "running", engine.now())
        # A test run shows each step's rendered data; a real run does nothing here.
        engine.step_started(step, lambda value: self.render(value, scope), track=track)
        try:
            output = await self._execute(step, scope, track)
        except RunEnded as ended:
            mark(step_id, step.type, "completed", engine.now(), output=ended.output)
            raise
        except asyncio.CancelledError:
            mark(step_id, step.type, "cancelled", engine.now())
            raise
        except STEP_ERRORS as exc:
            message = failure_message(exc)
            if is_cancelled_exception(exc):
                # An action cancelled with its run (or by a failing sibling) ends in an
                # ActivityError; only its label changes here, what follows stays as it was.
                mark(step_id, step.type, "cancelled", engine.now())
            else:
                mark(step_id, step.type, "failed", engine.now(), error=message)
            if step.on_error == "continue":
                scope.outputs[step_id] = None
                return Outcome("continued")
            if step.on_error != "fail":
                return Outcome("goto", goto=step.on_error)
            raise StepFailed(step_id, message) from None
        scope.outputs[step_id] = output
        mark(step_id, step.type, "completed", engine.now(), output=output)
        return Outcome("completed", output)

    def _is_top_level(self, step_id: str) -> bool:
        return any(node.id == step_id for node in self.memory.input.definition.nodes)

    async def _execute(self, step: Step, scope: Scope, track: bool) -> Any:
        executor = EXECUTORS.get(type(step))
        if executor is None:
            raise StepFailed(step.id or "", f"{step.type} is not supported by this worker")
        if step.timeout is None or executor.own_timeout:
            return await executor.execute(step, self, scope, track)
        seconds = duration(step, step.timeout).total_seconds()
        return await asyncio.wait_for(executor.execute(step, self, scope, track), seconds)


def _no_mark(*_args: Any, **_kwargs: Any) -> None:
    pass
