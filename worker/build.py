"""Wires one Temporal worker: the interpreter workflow plus every registered action."""

from collections.abc import Callable, Sequence
from datetime import timedelta
from typing import Any

import httpx
from sqlalchemy import Engine
from temporalio.client import Client
from temporalio.worker import Worker
from temporalio.worker.workflow_sandbox import SandboxedWorkflowRunner, SandboxRestrictions

from activities.builtin.email_action import SendEmail, SmtpConfig
from activities.builtin.emit_event import EmitEvent
from activities.builtin.http_request import HttpRequest
from activities.builtin.slack import PostToSlack
from activities.jobs.batch import JobActivities
from activities.jobs.workflow import RelayBulkJob
from activities.net_guard import AddressRule
from activities.runtime import ActionRuntime
from activities.system import SystemActivities
from activities.webhooks.delivery import WebhookActivities
from activities.webhooks.workflow import RelayWebhookDelivery
from interpreter.gates.workflow import RelayGate
from interpreter.workflow import RelayRun
from relay.core.settings import Settings
from relay.core.temporal import with_relay_converter
from relay.services.container import Services
from relay.services.gate_activities import GateActivities
from relay.storage.secrets import read_secrets
from worker.run_defaults import RunDefaults
from worker.telemetry import Telemetry, quiet_logged_failures

# Pure libraries the interpreter uses; loading them once outside the sandbox keeps
# workflow start-up cheap and they hold no state that could leak between runs.
# httpx: the bulk-job workflow lives in ``activities.jobs``, and ``activities`` imports it
# (its package declares actions); the workflow never calls it.
# re2 and interpreter.expression_budget: an expression's budget needs the real clock for its
# last-resort guard, and RE2 is a C extension (neither holds state between evaluations).
PASSTHROUGH_MODULES = (
    "jsonata",
    "isodate",
    "pydantic",
    "pydantic_core",
    "annotated_types",
    "httpx",
    "re2",
    "interpreter.expression_budget",
    # The tracing interceptor's workflow side: the same OpenTelemetry as the worker's (its
    # context is per task, so nothing leaks between runs).
    "opentelemetry",
)


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
    max_concurrent_activities: int | None = None,
    max_concurrent_workflow_tasks: int | None = None,
) -> Worker:
    """A worker for the interpreter and every action registered by built-ins and product modules.

    ``graceful_shutdown_timeout``: how long ``Worker.shutdown`` lets running activities finish.
    ``extra_workflows``: more workflow classes beside ``RelayRun`` (the benchmark's baseline).
    """
    # Workers always use the claim check and the configured payload encryption,
    # whatever client they are handed.
    relay_client = with_relay_converter(client, engine, settings=settings)
    quiet_logged_failures()  # Relay logs its actions' failures itself, once each
    services = Services.create(settings=settings, engine=engine, temporal=relay_client)
    return Worker(
        relay_client,
        task_queue=task_queue or settings.task_queue,
        workflows=[RelayRun, RelayBulkJob, RelayWebhookDelivery, RelayGate, *extra_workflows],
        activities=[
            *action_activities(services, http=http),
            *SystemActivities(engine=engine).activities(),
            *GateActivities(engine=engine).activities(),
            *JobActivities(engine=engine, services=services).activities(),
            *WebhookActivities(engine=engine, box=services.secret_box, settings=settings).activities(),
        ],
        workflow_runner=workflow_runner(),
        graceful_shutdown_timeout=graceful_shutdown_timeout,
        # A saturated worker for the priority test and the fairness benchmark; None: the SDK's.
        max_concurrent_activities=max_concurrent_activities,
        max_concurrent_workflow_tasks=max_concurrent_workflow_tasks,
        interceptors=[RunDefaults(action_heartbeat_timeout=settings.action_heartbeat_timeout), Telemetry()],
    )


def action_activities(services: Services, *, http: httpx.AsyncClient) -> list[Callable[..., Any]]:
    """Every registered action as a Temporal activity. Actions see only their
    ``ActionContext``; the runtime reads their account's secrets, the built-ins below get
    the rest through their constructors."""

    def account_secrets(account_id: str) -> dict[str, str]:
        return read_secrets(services.engine, services.secret_box, account_id=account_id)

    runtime = ActionRuntime(http=http, read_secrets=account_secrets)
    return runtime.activities(services.actions, constructed=builtin_actions(services))


def builtin_actions(services: Services) -> list[object]:
    """The built-ins declared on classes, each constructed with just what it needs."""
    settings = services.settings
    smtp = SmtpConfig(
        host=settings.smtp_host,
        port=settings.smtp_port,
        sender=settings.smtp_from,
        username=settings.smtp_username,
        password=settings.smtp_password,
        starttls=settings.smtp_starttls,
    )
    return [
        SendEmail(smtp=smtp, engine=services.engine),
        PostToSlack(api_url=settings.slack_api_url),
        EmitEvent(intake=services.events.ingest),
        # URLs from definitions: only what the operator's address rule lets through (SSRF).
        HttpRequest(rule=AddressRule(settings.http_allow)),
    ]
