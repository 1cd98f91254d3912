"""Running one definition to its end on a real worker, and reading what happened."""

import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import httpx
from sqlalchemy import Engine
from temporalio.client import WorkflowHandle, WorkflowHistory
from temporalio.testing import WorkflowEnvironment

from activities.registry import load_actions
from interpreter.compile import compile_definition
from interpreter.contract import EventPayload, Progress, RunInput
from relay.core.settings import Settings
from relay.core.temporal import with_relay_converter
from worker.build import build_worker


@dataclass
class Finished:
    run_id: str
    handle: WorkflowHandle[Any, Any]
    result: dict[str, Any] | None
    error: BaseException | None
    progress: Progress

    def step(self, step_id: str) -> Any:
        return next(s for s in self.progress.steps if s.id == step_id)


Runner = Callable[..., Awaitable[Finished]]


@asynccontextmanager
async def flow_runner(
    env: WorkflowEnvironment, settings: Settings, engine: Engine, *, account_id: str = "acct"
) -> AsyncIterator[Runner]:
    """A worker on ``env`` and a function that runs a definition to its end there, started
    and read through a client with Relay's converter (claim check, and encryption when the
    settings have payload keys)."""
    specs = load_actions(settings.action_modules)
    client = with_relay_converter(env.client, engine, settings=settings)
    async with (
        httpx.AsyncClient() as http,
        build_worker(env.client, settings=settings, engine=engine, http=http),
    ):

        async def run(
            document: dict[str, Any],
            *,
            data: dict[str, Any] | None = None,
            run_input: dict[str, Any] | None = None,
            before_result: Callable[[WorkflowHandle[Any, Any]], Awaitable[None]] | None = None,
        ) -> Finished:
            compiled = compile_definition(document, specs)
            run_id = f"run-{uuid.uuid4().hex[:8]}"
            handle = await client.start_workflow(
                "RelayRun",
                RunInput(
                    run_id=run_id,
                    account_id=account_id,
                    workflow_id="wf",
                    version=1,
                    definition=compiled.definition,
                    event=EventPayload(id=uuid.uuid4().hex, name="test/event", data=data or {}),
                    input=run_input or {},
                ),
                id=f"relay-test-{uuid.uuid4()}",
                task_queue=settings.task_queue,
            )
            if before_result is not None:
                await before_result(handle)
            result, error = None, None
            try:
                result = await handle.result()
            except Exception as exc:  # the test inspects it
                error = exc
            progress = await handle.query("progress", result_type=Progress)
            return Finished(run_id=run_id, handle=handle, result=result, error=error, progress=progress)

        yield run


async def run_histories(handle: WorkflowHandle[Any, Any]) -> list[WorkflowHistory]:
    """The histories of every run in a continue-as-new chain, first to last."""
    histories, run_id = [], handle.first_execution_run_id or handle.result_run_id
    while run_id:
        history = await handle._client.get_workflow_handle(handle.id, run_id=run_id).fetch_history()
        histories.append(history)
        last = history.events[-1]
        continued = last.HasField("workflow_execution_continued_as_new_event_attributes")
        run_id = (
            last.workflow_execution_continued_as_new_event_attributes.new_execution_run_id
            if continued
            else None
        )
    return histories
