"""Turns registered actions into Temporal activities bound to the worker's clients."""

import asyncio
import json
from collections.abc import Callable
from typing import Any

import httpx
from pydantic import ValidationError
from sqlalchemy import Engine
from temporalio import activity
from temporalio.exceptions import ApplicationError

from activities import log_redaction
from activities import secrets as secret_refs
from activities.context import ActionContext
from activities.errors import permanent
from activities.registry import ActionSpec
from interpreter.contract import ActionRequest, ActionResponse
from relay.core.payloads import LIMIT_BYTES
from relay.core.settings import Settings
from relay.storage.secrets import SecretBox, read_secrets


class ActionRuntime:
    """Holds the clients every action shares and builds one activity per action."""

    def __init__(self, *, settings: Settings, engine: Engine, http: httpx.AsyncClient) -> None:
        self._settings = settings
        self._engine = engine
        self._http = http
        self._box = SecretBox(settings.secret_key_list)
        log_redaction.install()

    def activities(self, specs: dict[str, ActionSpec]) -> list[Callable[..., Any]]:
        return [self._activity(spec) for spec in specs.values()]

    async def _secrets_for(self, account_id: str) -> dict[str, str]:
        return await asyncio.to_thread(read_secrets, self._engine, self._box, account_id=account_id)

    def _activity(self, spec: ActionSpec) -> Callable[..., Any]:
        async def run(request: ActionRequest) -> ActionResponse:
            secrets = await self._secrets_for(request.account_id)
            values = sorted(secrets.values(), key=len, reverse=True)
            try:
                resolved = secret_refs.resolve(request.data, secrets)
                try:
                    data = spec.input_model.model_validate(resolved)
                except ValidationError as exc:
                    raise permanent(_describe(exc, spec.name), kind="InvalidActionData") from None
                ctx = ActionContext(
                    request=request,
                    settings=self._settings,
                    http=self._http,
                    engine=self._engine,
                    secrets=secrets,
                )
                with log_redaction.secrets_in_scope(values):
                    result = await spec.fn(data, ctx)
                output = secret_refs.redact(result.model_dump(mode="json"), values)
                _check_size(output, spec.name)
                return ActionResponse(output=output, attempt=activity.info().attempt)
            except ApplicationError as exc:
                # The attempt rides along as the last detail so the run's steps can show it.
                raise ApplicationError(
                    secret_refs.redact(exc.message, values),
                    *[secret_refs.redact(d, values) for d in exc.details],
                    {"attempt": activity.info().attempt},
                    type=exc.type,
                    non_retryable=exc.non_retryable,
                    next_retry_delay=exc.next_retry_delay,
                ) from None
            except Exception as exc:  # noqa: BLE001 - anything else is retried, message redacted
                raise ApplicationError(
                    secret_refs.redact(f"{type(exc).__name__}: {exc}", values),
                    {"attempt": activity.info().attempt},
                    type=type(exc).__name__,
                ) from None

        run.__name__ = f"action_{spec.name}"
        run.__qualname__ = run.__name__
        return activity.defn(name=spec.name)(run)


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
