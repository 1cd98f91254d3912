"""What an action receives besides its data: who is calling, and the clients it may use."""

from dataclasses import dataclass

import httpx
from sqlalchemy import Engine
from temporalio import activity

from interpreter.contract import ActionRequest
from relay.settings import Settings


@dataclass
class ActionContext:
    request: ActionRequest
    settings: Settings
    http: httpx.AsyncClient
    engine: Engine

    @property
    def account_id(self) -> str:
        return self.request.account_id

    def heartbeat(self, *details: object) -> None:
        """Tell Temporal a long action is alive (a no-op outside an activity)."""
        if activity.in_activity():
            activity.heartbeat(*details)
