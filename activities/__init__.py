"""Actions: declaring them, the built-ins and the runtime that makes them Temporal activities."""

from activities.context import AccountSecrets, ActionContext
from activities.registry import ActionRegistry, ActionSpec, RetryDefaults, action, load_actions

__all__ = [
    "AccountSecrets",
    "ActionContext",
    "ActionRegistry",
    "ActionSpec",
    "RetryDefaults",
    "action",
    "load_actions",
]
