"""What an executor is, what it may use of the run, and the registry of executors by kind."""

import asyncio
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, Protocol, TypeVar

from interpreter.definition import Step
from interpreter.durations import DurationError, parse_duration
from interpreter.failures import StepFailed
from interpreter.inbox import Inbox
from interpreter.memory import RunMemory, Scope
from interpreter.steps import StepBase


class StepRun(Protocol):
    """What an executor may use of the run it executes in (``interpreter.frame.Interpreter``)."""

    @property
    def memory(self) -> RunMemory: ...

    @property
    def inbox(self) -> Inbox: ...

    def context(self, scope: Scope) -> dict[str, Any]: ...

    def evaluate(self, source: str, scope: Scope) -> Any: ...

    def truthy(self, source: str, scope: Scope) -> bool: ...

    def render(self, value: Any, scope: Scope) -> Any: ...

    async def run_sequence(self, steps: list[Step], scope: Scope, *, track: bool) -> Any:
        """Run a sub-list (``track``: record its steps' progress); returns the last output."""


Kind = TypeVar("Kind", bound=StepBase)
# ``(step, run, scope, track) -> output``; ``track`` says whether step progress is recorded.
Execute = Callable[[Kind, StepRun, Scope, bool], Awaitable[Any]]


@dataclass(frozen=True)
class Executor:
    execute: Execute[Any]
    # Actions carry their timeout to Temporal; the frame bounds every other step itself.
    own_timeout: bool = False


EXECUTORS: dict[type[StepBase], Executor] = {}


def executes(kind: type[Kind], *, own_timeout: bool = False) -> Callable[[Execute[Kind]], Execute[Kind]]:
    """Register the decorated function as the executor of ``kind``."""

    def register(execute: Execute[Kind]) -> Execute[Kind]:
        EXECUTORS[kind] = Executor(execute, own_timeout)
        return execute

    return register


# ``(step, memory, recorded output)``: what a step reused by a rerun does to the run besides
# standing in with its output (a ``set`` step sets its variables again).
Restore = Callable[[Kind, RunMemory, Any], None]
RESTORERS: dict[type[StepBase], Restore[Any]] = {}


def restores(kind: type[Kind]) -> Callable[[Restore[Kind]], Restore[Kind]]:
    """Register the decorated function as what reusing a ``kind`` step's output restores."""

    def register(restore: Restore[Kind]) -> Restore[Kind]:
        RESTORERS[kind] = restore
        return restore

    return register


def duration(step: StepBase, text: str) -> timedelta:
    """A duration of the definition; one the save-time check missed fails its step."""
    try:
        return parse_duration(text)
    except DurationError as exc:
        raise StepFailed(step.id or "", str(exc)) from None


async def all_or_cancel(works: list[Coroutine[Any, Any, Any]]) -> list[Any]:
    """Run concurrently; the first failure cancels the rest and is raised."""
    tasks = [asyncio.create_task(w) for w in works]
    try:
        return list(await asyncio.gather(*tasks))
    except BaseException:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        raise
