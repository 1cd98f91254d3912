"""What an action receives besides its data: who is calling, and the clients it may use."""

from collections.abc import Mapping
from dataclasses import dataclass, field

import httpx
from sqlalchemy import Engine
from temporalio import activity

from activities.errors import permanent
from interpreter.contract import ActionRequest
from relay.core.settings import Settings


@dataclass
class ActionContext:
    request: ActionRequest
    settings: Settings
    http: httpx.AsyncClient
    engine: Engine
    # The account's decrypted secrets, for actions that need one by name (Slack's token).
    secrets: Mapping[str, str] = field(default_factory=dict)

    def secret(self, name: str) -> str:
        """A secret's value; a missing one fails the step for good, naming the secret."""
        if name not in self.secrets:
            raise permanent(f"secret {name!r} is not set for this account", kind="UnknownSecret")
        return self.secrets[name]

    @property
    def account_id(self) -> str:
        return self.request.account_id

    def heartbeat(self, *details: object) -> None:
        """Tell Temporal a long action is alive (a no-op outside an activity)."""
        if activity.in_activity():
            activity.heartbeat(*details)
