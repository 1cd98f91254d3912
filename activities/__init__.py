"""Actions: the registry, the built-ins and the runtime that makes them Temporal activities."""

from activities.context import ActionContext
from activities.registry import ActionSpec, RetryDefaults, action, load_actions

__all__ = ["ActionContext", "ActionSpec", "RetryDefaults", "action", "load_actions"]
