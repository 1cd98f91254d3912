"""The action registry: one decorator turns a typed async function into a Relay action.

    @action("crm_create_contact", input=ContactIn, output=ContactOut,
            description="Create a contact in the CRM")
    async def create_contact(data: ContactIn, ctx: ActionContext) -> ContactOut: ...

Each registered action becomes a Temporal activity of the same name (see ``runtime``),
is listed by ``GET /v1/actions`` and validates definitions at save time.
"""

import importlib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel

if TYPE_CHECKING:
    from activities.context import ActionContext

# Types the interpreter runs itself; no action may take these names.
FLOW_TYPES = frozenset(
    {"filter", "sleep", "wait_for_event", "branch", "parallel", "foreach", "set", "invoke", "return", "fail"}
)

ActionFn = Callable[[Any, "ActionContext"], Awaitable[BaseModel]]


@dataclass(frozen=True)
class RetryDefaults:
    """The retry policy an action gets unless a step overrides it."""

    max_attempts: int = 5
    initial_interval: timedelta = timedelta(seconds=1)
    backoff: float = 2.0
    max_interval: timedelta = timedelta(minutes=1)


@dataclass(frozen=True)
class ActionSpec:
    name: str
    input_model: type[BaseModel]
    output_model: type[BaseModel]
    description: str
    fn: ActionFn
    timeout: timedelta = timedelta(minutes=5)
    retry: RetryDefaults = field(default_factory=RetryDefaults)
    # Fields with the seed semantics: a bare name (no "@", no "{{") reads event.data[name].
    event_fields: tuple[str, ...] = ()
    # Heartbeat timeout for long actions; None for quick ones.
    heartbeat: timedelta | None = None
    # Data a step gets when it does not say otherwise; may hold {{ }} templates.
    defaults: dict[str, Any] = field(default_factory=dict)


_REGISTRY: dict[str, ActionSpec] = {}


def action(
    name: str,
    *,
    input: type[BaseModel],  # noqa: A002 - reads best at the call site
    output: type[BaseModel],
    description: str,
    timeout: timedelta = timedelta(minutes=5),
    retry: RetryDefaults | None = None,
    event_fields: tuple[str, ...] = (),
    heartbeat: timedelta | None = None,
    defaults: dict[str, Any] | None = None,
) -> Callable[[ActionFn], ActionFn]:
    """Register ``fn`` as the action ``name``; see the module docstring."""
    if name in FLOW_TYPES:
        raise ValueError(f"{name!r} is a flow action type and cannot be registered")

    def register(fn: ActionFn) -> ActionFn:
        existing = _REGISTRY.get(name)
        if existing is not None and existing.fn is not fn:
            raise ValueError(f"action {name!r} is already registered by {existing.fn.__module__}")
        _REGISTRY[name] = ActionSpec(
            name=name,
            input_model=input,
            output_model=output,
            description=description,
            fn=fn,
            timeout=timeout,
            retry=retry or RetryDefaults(),
            event_fields=event_fields,
            heartbeat=heartbeat,
            defaults=defaults or {},
        )
        return fn

    return register


def load_actions(module_names: list[str]) -> dict[str, ActionSpec]:
    """Import the built-ins and the product's modules; return every registered action."""
    importlib.import_module("activities.builtin")
    for module in module_names:
        importlib.import_module(module)
    return dict(_REGISTRY)
