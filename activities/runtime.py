"""Turns registered actions into Temporal activities bound to the worker's shared clients."""

import asyncio
import json
import logging
from collections.abc import AsyncIterator, Callable, Iterable, Mapping
from contextlib import asynccontextmanager, suppress
from datetime import timedelta
from typing import Any, cast

import httpx
from pydantic import ValidationError
from temporalio import activity
from temporalio.exceptions import ApplicationError

from activities import log_redaction
from activities import secrets as secret_refs
from activities.context import AccountSecrets, ActionContext, action_logger
from activities.errors import mark_logged, permanent
from activities.registry import ActionFn, ActionSpec
from interpreter.contract import ActionRequest, ActionResponse
from relay.core.payloads import LIMIT_BYTES

# Reads one account's decrypted secrets; blocking, so it runs in a thread.
SecretReader = Callable[[str], Mapping[str, str]]

_steps_log = logging.getLogger("relay.steps")


class ActionRuntime:
    """Holds what every action shares (the HTTP client, the secret reader) and builds one
    activity per action. It hands each action an ``ActionContext``, never itself."""

    def __init__(self, *, http: httpx.AsyncClient, read_secrets: SecretReader) -> None:
        self._http = http
        self._read_secrets = read_secrets
        log_redaction.install()

    def activities(
        self, actions: Mapping[str, ActionSpec], *, constructed: Iterable[object] = ()
    ) -> list[Callable[..., Any]]:
        """One activity per action. An action declared on a class runs as the instance of
        that class found in ``constructed`` (built by the worker with the clients it needs)."""
        instances = list(constructed)
        return [self._activity(spec, _implementation(spec, instances)) for spec in actions.values()]

    def _activity(self, spec: ActionSpec, fn: ActionFn) -> Callable[..., Any]:
        async def run(request: ActionRequest) -> ActionResponse:
            attempt = activity.info().attempt
            secrets = await asyncio.to_thread(self._read_secrets, request.account_id)
            values = sorted(secrets.values(), key=len, reverse=True)
            try:
                resolved = secret_refs.resolve(request.data, dict(secrets))
                try:
                    data = spec.input_model.model_validate(resolved)
                except ValidationError as exc:
                    raise permanent(_describe(exc, spec.name), kind="InvalidActionData") from None
                ctx = self._context(spec, request, attempt=attempt, secrets=secrets)
                with log_redaction.secrets_in_scope(values):
                    async with _heartbeating():
                        result = await fn(data, ctx)
                output = secret_refs.redact(result.model_dump(mode="json"), values)
                _check_size(output, spec.name)
                return ActionResponse(output=output, attempt=attempt)
            except ApplicationError as exc:
                # The attempt rides along as the last detail so the run's steps can show it.
                failure = ApplicationError(
                    secret_refs.redact(exc.message, values),
                    *[secret_refs.redact(d, values) for d in exc.details],
                    {"attempt": attempt},
                    type=exc.type,
                    non_retryable=exc.non_retryable,
                    next_retry_delay=exc.next_retry_delay,
                )
                # Classified: one line with class and message, no traceback (SPEC §7).
                _steps_log.warning(
                    "step failed",
                    extra={
                        "error_class": exc.type,
                        "error": failure.message,
                        "retryable": not exc.non_retryable,
                    },
                )
                raise mark_logged(failure) from None
            except Exception as exc:  # anything else is retried, message redacted
                failure = ApplicationError(
                    secret_refs.redact(f"{type(exc).__name__}: {exc}", values),
                    {"attempt": attempt},
                    type=type(exc).__name__,
                )
                # Unexpected: the traceback of the real error (the one raised is bare), with
                # the account's secrets blanked out of it.
                with log_redaction.secrets_in_scope(values):
                    _steps_log.error(
                        "step failed unexpectedly",
                        exc_info=exc,
                        extra={
                            "error_class": type(exc).__name__,
                            "error": failure.message,
                            "retryable": True,
                        },
                    )
                raise mark_logged(failure) from None

        run.__name__ = f"action_{spec.name}"
        run.__qualname__ = run.__name__
        return activity.defn(name=spec.name)(run)

    def _context(
        self, spec: ActionSpec, request: ActionRequest, *, attempt: int, secrets: Mapping[str, str]
    ) -> ActionContext:
        return ActionContext(
            account_id=request.account_id,
            workflow_id=request.workflow_id,
            run_id=request.run_id,
            step_id=request.step_id,
            attempt=attempt,
            item_index=request.item_index,
            event_depth=request.event_depth,
            secrets=AccountSecrets(secrets),
            http=self._http,
            log=action_logger(
                spec.name,
                account_id=request.account_id,
                workflow_id=request.workflow_id,
                run_id=request.run_id,
                step_id=request.step_id,
                attempt=attempt,
            ),
        )


@asynccontextmanager
async def _heartbeating() -> AsyncIterator[None]:
    """Heartbeat every third of the activity's heartbeat timeout while the action runs, so a
    healthy attempt never misses it and a dead worker's attempt is retried elsewhere within
    it. The beats come from a task on the worker's event loop: an action that blocks the loop
    (sync I/O, CPU work without ``asyncio.to_thread``) stops them and is retried as if dead."""
    timeout = activity.info().heartbeat_timeout
    if not timeout or timeout <= timedelta(0):
        yield
        return
    every = timeout.total_seconds() / 3

    async def beat() -> None:
        while True:
            activity.heartbeat()
            await asyncio.sleep(every)

    task = asyncio.create_task(beat())
    try:
        yield
    finally:
        task.cancel()
        with suppress(asyncio.CancelledError):
            await task


def _implementation(spec: ActionSpec, constructed: list[object]) -> ActionFn:
    if not isinstance(spec.impl, type):
        return spec.impl
    for instance in constructed:
        if isinstance(instance, spec.impl) and callable(instance):
            return cast(ActionFn, instance)
    raise ValueError(
        f"action {spec.name!r} is the class {spec.impl.__qualname__}: construct it with its "
        "clients and pass the instance to ActionRuntime.activities(constructed=...)"
    )


def _check_size(output: Any, action: str) -> None:
    size = len(json.dumps(output, default=str))
    if size > LIMIT_BYTES:
        raise permanent(
            f"{action}: output is {size / 2**20:.1f} MiB, over Relay's limit of "
            f"{LIMIT_BYTES / 2**20:.0f} MiB per value",
            kind="OutputTooLarge",
        )


def _describe(exc: ValidationError, action: str) -> str:
    parts = []
    for err in exc.errors():
        where = ".".join(str(p) for p in err["loc"]) or "data"
        parts.append(f"data.{where}: {err['msg']}")
    return f"{action}: " + "; ".join(parts)
