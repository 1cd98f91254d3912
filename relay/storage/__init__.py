"""Relay's database: tables, engine and encrypted secrets, shared by the API and the actions."""

from relay.storage.db import create_db_engine
from relay.storage.migrate import ensure_schema, upgrade
from relay.storage.tables import (
    Account,
    ApiKey,
    EmailTemplate,
    Event,
    Run,
    Secret,
    Workflow,
    WorkflowVersion,
)

__all__ = [
    "Account",
    "ApiKey",
    "EmailTemplate",
    "Event",
    "Run",
    "Secret",
    "Workflow",
    "WorkflowVersion",
    "create_db_engine",
    "ensure_schema",
    "upgrade",
]
