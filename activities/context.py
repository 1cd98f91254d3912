"""What an action receives besides its data: which step it runs for, and the few tools it may use.

Deliberately narrow: a product action sees its own account's secrets, the shared HTTP client,
a logger and a heartbeat. No settings (they hold the secrets master keys and the SMTP
password), no database engine (it reaches every account), no Temporal client. Built-ins that
need more get it through their own constructor (see ``worker.build``).
"""

import logging
from collections.abc import Mapping, MutableMapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

import httpx
from temporalio import activity

from activities.errors import permanent


class AccountSecrets:
    """The decrypted secrets of the account that owns the run, and of no other account."""

    __slots__ = ("_values",)

    def __init__(self, values: Mapping[str, str]) -> None:
        self._values: Mapping[str, str] = MappingProxyType(dict(values))

    def get(self, name: str) -> str:
        """A secret's value; a missing one fails the step for good, naming the secret."""
        if name not in self._values:
            raise permanent(f"secret {name!r} is not set for this account", kind="UnknownSecret")
        return self._values[name]

    def __contains__(self, name: object) -> bool:
        return name in self._values

    def __repr__(self) -> str:
        # Names only: a context printed in a traceback must not show the values.
        return f"AccountSecrets({sorted(self._values)})"


class ActionLogger(logging.LoggerAdapter[logging.Logger]):
    """Puts the step's ids on every record (``record.relay_run_id``, ...) and keeps the
    caller's own ``extra`` (the stdlib adapter would drop it before Python 3.13)."""

    def process(self, msg: Any, kwargs: MutableMapping[str, Any]) -> tuple[Any, MutableMapping[str, Any]]:
        kwargs["extra"] = {**(self.extra or {}), **(kwargs.get("extra") or {})}
        return msg, kwargs


@dataclass(frozen=True, kw_only=True)
class ActionContext:
    """Who is calling and what the action may use; the same shape for product and built-in actions."""

    account_id: str
    workflow_id: str
    run_id: str
    step_id: str
    # 1 on the first attempt, counting up on each retry Temporal makes.
    attempt: int
    # The item's position when the step runs inside a ``foreach`` (the innermost one when
    # foreach steps nest), so every item gets its own idempotency key; None outside a foreach.
    item_index: int | None = None
    # The chain depth of the event that started the run (0 for a product event or none).
    event_depth: int = 0
    secrets: AccountSecrets = field(repr=False)
    http: httpx.AsyncClient = field(repr=False)
    log: ActionLogger = field(repr=False)

    @property
    def idempotency_key(self) -> str:
        """Stable across every retry of this step (SPEC §10): ``<run_id>:<step_id>[:<item>]``."""
        key = f"{self.run_id}:{self.step_id}"
        return key if self.item_index is None else f"{key}:{self.item_index}"

    def secret(self, name: str) -> str:
        """A secret of the run's account; a missing one fails the step for good, naming it."""
        return self.secrets.get(name)

    def heartbeat(self, *details: object) -> None:
        """Tell Temporal a long action is alive (a no-op outside an activity)."""
        if activity.in_activity():
            activity.heartbeat(*details)


def action_logger(action: str, **ids: object) -> ActionLogger:
    """The logger ``ctx.log`` of one attempt: ``relay.actions.<action>``, with ``relay_<id>`` extras."""
    return ActionLogger(
        logging.getLogger(f"relay.actions.{action}"), {f"relay_{k}": v for k, v in ids.items()}
    )
