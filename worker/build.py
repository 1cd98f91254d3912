"""Wires one Temporal worker: the interpreter workflow plus every registered action."""

from collections.abc import Sequence
from datetime import timedelta

import httpx
from sqlalchemy import Engine
from temporalio.client import Client
from temporalio.worker import Worker
from temporalio.worker.workflow_sandbox import SandboxedWorkflowRunner, SandboxRestrictions

from activities.registry import load_actions
from activities.runtime import ActionRuntime
from activities.system import SystemActivities
from interpreter.workflow import RelayRun
from relay.core.settings import Settings
from relay.core.temporal import with_relay_converter

# Pure libraries the interpreter uses; loading them once outside the sandbox keeps
# workflow start-up cheap and they hold no state that could leak between runs.
PASSTHROUGH_MODULES = ("jsonata", "isodate", "pydantic", "pydantic_core", "annotated_types")


def workflow_runner() -> SandboxedWorkflowRunner:
    return SandboxedWorkflowRunner(
        restrictions=SandboxRestrictions.default.with_passthrough_modules(*PASSTHROUGH_MODULES)
    )


def build_worker(
    client: Client,
    *,
    settings: Settings,
    engine: Engine,
    http: httpx.AsyncClient,
    task_queue: str | None = None,
    graceful_shutdown_timeout: timedelta = timedelta(0),
    extra_workflows: Sequence[type] = (),
) -> Worker:
    """A worker for the interpreter and every action registered by built-ins and product modules.

    ``graceful_shutdown_timeout``: how long ``Worker.shutdown`` lets running activities finish.
    ``extra_workflows``: more workflow classes beside ``RelayRun`` (the benchmark's baseline).
    """
    specs = load_actions(settings.action_module_names)
    runtime = ActionRuntime(settings=settings, engine=engine, http=http)
    return Worker(
        # Workers always use the claim check and the configured payload encryption,
        # whatever client they are handed.
        with_relay_converter(client, engine, settings=settings),
        task_queue=task_queue or settings.task_queue,
        workflows=[RelayRun, *extra_workflows],
        activities=[*runtime.activities(specs), SystemActivities(engine=engine).prepare_invoke],
        workflow_runner=workflow_runner(),
        graceful_shutdown_timeout=graceful_shutdown_timeout,
    )
