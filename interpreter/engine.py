"""The seam between the interpreter and what runs it: every Temporal call the interpreter makes.

Real runs use ``TemporalEngine``: each function below is the ``temporalio.workflow`` call of
the same name with the same arguments, so a run's commands (and replay) are unchanged.
A test run (``interpreter.dry_run``) drives the same workflow code on a plain asyncio loop
with another ``Engine`` set for its task tree through ``use``: actions answered by mocks,
timers that take no time, waits answered from a list. Nothing else in ``interpreter/`` calls
``temporalio.workflow`` at run time (the decorators in ``interpreter.workflow`` aside).
"""

import contextlib
import uuid
from collections.abc import Awaitable, Callable, Iterator, Sequence
from contextvars import ContextVar
from datetime import datetime, timedelta
from typing import Any, NoReturn, Protocol, TypeVar

from temporalio import workflow
from temporalio.common import SearchAttributeKey, SearchAttributeUpdate

T = TypeVar("T")


class Engine(Protocol):
    """What the interpreter asks of the thing that runs it."""

    def now(self) -> datetime: ...

    def uuid4(self) -> uuid.UUID: ...

    def patched(self, patch_id: str) -> bool: ...

    def workflow_id(self) -> str: ...

    def history_is_long(self, limit: int) -> bool: ...

    def search_attribute(self, key: SearchAttributeKey[Any]) -> Any: ...

    async def sleep(self, delay: timedelta, *, summary: str | None) -> None: ...

    async def wait_condition(self, done: Callable[[], bool]) -> None:
        """Until ``done()`` holds; only the run's own steps make it hold."""

    async def wait_for_event(
        self, found: Callable[[], bool], *, within: timedelta | None, summary: str | None
    ) -> None:
        """Until ``found()`` holds (an event arrived); ``TimeoutError`` after ``within``."""

    async def execute_activity(
        self, activity: str, arg: Any, *, result_type: type[T], **options: Any
    ) -> T: ...

    async def execute_local_activity(
        self, activity: str, arg: Any, *, result_type: type[T], **options: Any
    ) -> T: ...

    def upsert_search_attributes(self, updates: Sequence[SearchAttributeUpdate[Any]]) -> None: ...

    async def start_child_workflow(
        self, name: str, arg: Any, *, id: str, result_type: type[T], **options: Any
    ) -> Awaitable[T]: ...

    async def execute_child_workflow(
        self, name: str, arg: Any, *, id: str, result_type: type[T], **options: Any
    ) -> T: ...

    def continue_as_new(self, arg: Any) -> NoReturn: ...

    def step_started(self, step: Any, render: Callable[[Any], Any], *, track: bool) -> None:
        """A step starts (its ``if`` held); ``render`` renders a value in the step's scope."""


class TemporalEngine:
    """Real runs: the Temporal workflow APIs, called exactly as the interpreter always has."""

    def now(self) -> datetime:
        return workflow.now()

    def uuid4(self) -> uuid.UUID:
        return workflow.uuid4()

    def patched(self, patch_id: str) -> bool:
        return workflow.patched(patch_id)

    def workflow_id(self) -> str:
        return workflow.info().workflow_id

    def history_is_long(self, limit: int) -> bool:
        info = workflow.info()
        return info.get_current_history_length() >= limit or info.is_continue_as_new_suggested()

    def search_attribute(self, key: SearchAttributeKey[Any]) -> Any:
        return workflow.info().typed_search_attributes.get(key)

    async def sleep(self, delay: timedelta, *, summary: str | None) -> None:
        await workflow.sleep(delay, summary=summary)

    async def wait_condition(self, done: Callable[[], bool]) -> None:
        await workflow.wait_condition(done)

    async def wait_for_event(
        self, found: Callable[[], bool], *, within: timedelta | None, summary: str | None
    ) -> None:
        await workflow.wait_condition(found, timeout=within, timeout_summary=summary)

    async def execute_activity(self, activity: str, arg: Any, *, result_type: type[T], **options: Any) -> T:
        result: T = await workflow.execute_activity(activity, arg, result_type=result_type, **options)
        return result

    async def execute_local_activity(
        self, activity: str, arg: Any, *, result_type: type[T], **options: Any
    ) -> T:
        result: T = await workflow.execute_local_activity(activity, arg, result_type=result_type, **options)
        return result

    def upsert_search_attributes(self, updates: Sequence[SearchAttributeUpdate[Any]]) -> None:
        workflow.upsert_search_attributes(updates)

    async def start_child_workflow(
        self, name: str, arg: Any, *, id: str, result_type: type[T], **options: Any
    ) -> Awaitable[T]:
        handle: Awaitable[T] = await workflow.start_child_workflow(
            name, arg, id=id, result_type=result_type, **options
        )
        return handle

    async def execute_child_workflow(
        self, name: str, arg: Any, *, id: str, result_type: type[T], **options: Any
    ) -> T:
        result: T = await workflow.execute_child_workflow(
            name, arg, id=id, result_type=result_type, **options
        )
        return result

    def continue_as_new(self, arg: Any) -> NoReturn:
        workflow.continue_as_new(arg)

    def step_started(self, step: Any, render: Callable[[Any], Any], *, track: bool) -> None:
        pass  # nothing to do: a real run's steps are its history


_TEMPORAL = TemporalEngine()
_current: ContextVar[Engine | None] = ContextVar("relay_interpreter_engine", default=None)


def current() -> Engine:
    """The engine of the run this code runs in (Temporal unless a test run set another)."""
    return _current.get() or _TEMPORAL


@contextlib.contextmanager
def use(engine: Engine) -> Iterator[None]:
    """Run the code inside (and the tasks it creates) on ``engine``."""
    token = _current.set(engine)
    try:
        yield
    finally:
        _current.reset(token)


# The interpreter calls these, as it called ``temporalio.workflow``'s functions of the same name.


def now() -> datetime:
    return current().now()


def uuid4() -> uuid.UUID:
    return current().uuid4()


def patched(patch_id: str) -> bool:
    return current().patched(patch_id)


def workflow_id() -> str:
    return current().workflow_id()


def history_is_long(limit: int) -> bool:
    return current().history_is_long(limit)


def search_attribute(key: SearchAttributeKey[Any]) -> Any:
    return current().search_attribute(key)


async def sleep(delay: timedelta, *, summary: str | None = None) -> None:
    await current().sleep(delay, summary=summary)


async def wait_condition(done: Callable[[], bool]) -> None:
    await current().wait_condition(done)


async def wait_for_event(found: Callable[[], bool], *, within: timedelta | None, summary: str | None) -> None:
    await current().wait_for_event(found, within=within, summary=summary)


async def execute_activity(activity: str, arg: Any, *, result_type: type[T], **options: Any) -> T:
    return await current().execute_activity(activity, arg, result_type=result_type, **options)


async def execute_local_activity(activity: str, arg: Any, *, result_type: type[T], **options: Any) -> T:
    return await current().execute_local_activity(activity, arg, result_type=result_type, **options)


def upsert_search_attributes(updates: Sequence[SearchAttributeUpdate[Any]]) -> None:
    current().upsert_search_attributes(updates)


async def start_child_workflow(
    name: str, arg: Any, *, id: str, result_type: type[T], **options: Any
) -> Awaitable[T]:
    return await current().start_child_workflow(name, arg, id=id, result_type=result_type, **options)


async def execute_child_workflow(name: str, arg: Any, *, id: str, result_type: type[T], **options: Any) -> T:
    return await current().execute_child_workflow(name, arg, id=id, result_type=result_type, **options)


def continue_as_new(arg: Any) -> NoReturn:
    current().continue_as_new(arg)


def step_started(step: Any, render: Callable[[Any], Any], *, track: bool) -> None:
    current().step_started(step, render, track=track)
