"""Runs one action the way a workflow does: a real Temporal activity on a real worker, so
retries, non-retryable errors and ``Retry-After`` delays are Temporal's, not a mock's."""

import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import httpx
import pytest
from pydantic import BaseModel
from sqlalchemy import Engine
from sqlmodel import Session
from temporalio import workflow
from temporalio.client import WorkflowFailureError
from temporalio.common import RetryPolicy
from temporalio.exceptions import ActivityError, ApplicationError, RetryState
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Worker

from activities.registry import load_actions
from interpreter.contract import ActionRequest, ActionResponse
from relay.core.settings import Settings
from relay.services.container import Services
from relay.storage.secrets import SecretBox
from relay.storage.tables import Account, EmailTemplate, Secret
from worker.build import action_activities

ACCOUNT_ID = "acct_actions"


class ActionCall(BaseModel):
    action: str
    request: ActionRequest
    max_attempts: int = 1
    initial_interval: timedelta = timedelta(milliseconds=100)
    timeout: timedelta = timedelta(seconds=30)
    heartbeat: timedelta | None = None


class ActionResult(BaseModel):
    output: dict[str, Any]
    attempt: int
    # Workflow time the call took, retries and their delays included.
    elapsed: timedelta


@workflow.defn(sandboxed=False)
class CallAction:
    """Test-only: execute one action by name with the given retry policy."""

    @workflow.run
    async def run(self, call: ActionCall) -> ActionResult:
        started = workflow.now()
        response = await workflow.execute_activity(
            call.action,
            call.request,
            start_to_close_timeout=call.timeout,
            heartbeat_timeout=call.heartbeat,
            retry_policy=RetryPolicy(
                maximum_attempts=call.max_attempts,
                initial_interval=call.initial_interval,
                backoff_coefficient=1.0,
            ),
            result_type=ActionResponse,
        )
        return ActionResult(
            output=response.output, attempt=response.attempt, elapsed=workflow.now() - started
        )


@dataclass
class Outcome:
    """What a step would see: the output, or the error Temporal gave up with."""

    output: dict[str, Any] | None = None
    attempt: int | None = None
    elapsed: timedelta | None = None
    error: ApplicationError | None = None
    retry_state: RetryState | None = None


RunAction = Callable[..., Awaitable[Outcome]]


@pytest.fixture
def account(engine: Engine) -> str:
    with Session(engine) as session:
        session.add(Account(id=ACCOUNT_ID, name="Actions"))
        session.commit()
    return ACCOUNT_ID


@pytest.fixture
def store_secret(engine: Engine, settings: Settings, account: str) -> Callable[[str, str], None]:
    def store(name: str, value: str) -> None:
        box = SecretBox(settings.secrets_keys)
        with Session(engine) as session:
            session.add(Secret(account_id=account, name=name, ciphertext=box.encrypt(value)))
            session.commit()

    return store


@pytest.fixture
def store_template(engine: Engine, account: str) -> Callable[..., None]:
    def store(name: str, *, subject: str, text: str, html: str | None = None) -> None:
        with Session(engine) as session:
            session.add(EmailTemplate(account_id=account, name=name, subject=subject, text=text, html=html))
            session.commit()

    return store


@pytest.fixture
def action_modules() -> list[str]:
    """Product modules ``run_action`` loads beside the built-ins; a test module may override it."""
    return []


@pytest.fixture
def run_action(
    ts_env: WorkflowEnvironment,
    settings: Settings,
    engine: Engine,
    http: httpx.AsyncClient,
    account: str,
    action_modules: list[str],
) -> RunAction:
    """``await run_action("slack", {...}, max_attempts=3)`` -> ``Outcome``."""
    services = Services.create(
        settings=settings, engine=engine, temporal=ts_env.client, actions=load_actions(action_modules)
    )
    activities = action_activities(services, http=http)

    async def run(action: str, data: dict[str, Any], **options: Any) -> Outcome:
        call = ActionCall(
            action=action,
            request=ActionRequest(
                account_id=account, run_id="run_1", workflow_id="wf_1", step_id=action, data=data
            ),
            **options,
        )
        async with Worker(
            ts_env.client,
            task_queue=settings.task_queue,
            workflows=[CallAction],
            activities=activities,
        ):
            try:
                result = await ts_env.client.execute_workflow(
                    CallAction.run,
                    call,
                    id=f"action-test-{uuid.uuid4()}",
                    task_queue=settings.task_queue,
                    execution_timeout=timedelta(minutes=10),
                )
            except WorkflowFailureError as exc:
                failed = exc.cause
                assert isinstance(failed, ActivityError), failed
                assert isinstance(failed.cause, ApplicationError), failed.cause
                return Outcome(error=failed.cause, retry_state=failed.retry_state)
            return Outcome(output=result.output, attempt=result.attempt, elapsed=result.elapsed)

    return run
