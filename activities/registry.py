"""Declaring actions, and loading the set a process runs.

One decorator turns a typed async function into a Relay action:

    @action("crm_create_contact", input=ContactIn, output=ContactOut,
            description="Create a contact in the CRM")
    async def create_contact(data: ContactIn, ctx: ActionContext) -> ContactOut: ...

The decorator only attaches the action's ``ActionSpec`` to the function; nothing is recorded
globally. ``load_actions(["myproduct.actions"])`` imports the named modules and builds an
``ActionRegistry`` of exactly what the built-ins and those modules declare, so an action in a
module imported for another reason never leaks in. Each action in it becomes a Temporal
activity of the same name (see ``runtime``), is listed by ``GET /v1/actions`` and validates
definitions at save time.
"""

import importlib
from collections.abc import Awaitable, Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from types import ModuleType
from typing import Any, TypeVar

from pydantic import BaseModel

from activities.context import ActionContext
from interpreter.definition import FLOW_TYPES

# The package whose modules declare the built-ins; every registry holds them.
BUILTIN_MODULES = ("activities.builtin",)
SPEC_ATTRIBUTE = "__relay_action__"

ActionFn = Callable[[Any, ActionContext], Awaitable[BaseModel]]
# A function ``(data, ctx) -> output``, or a class whose instances are such callables: the
# worker constructs it with the clients it needs (a built-in's SMTP settings, its database).
Implementation = ActionFn | type
Declared = TypeVar("Declared", bound=Callable[..., Any])


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
    impl: Implementation
    timeout: timedelta = timedelta(minutes=5)
    retry: RetryDefaults = field(default_factory=RetryDefaults)
    # Fields with the seed semantics: a bare name (no "@", no "{{") reads event.data[name].
    event_fields: tuple[str, ...] = ()
    # Heartbeat timeout for long actions; None for quick ones.
    heartbeat: timedelta | None = None
    # Data a step gets when it does not say otherwise; may hold {{ }} templates.
    defaults: dict[str, Any] = field(default_factory=dict)

    @property
    def module(self) -> str:
        return str(getattr(self.impl, "__module__", "?"))


def action(
    name: str,
    *,
    input: type[BaseModel],  # reads best at the call site
    output: type[BaseModel],
    description: str,
    timeout: timedelta = timedelta(minutes=5),
    retry: RetryDefaults | None = None,
    event_fields: tuple[str, ...] = (),
    heartbeat: timedelta | None = None,
    defaults: dict[str, Any] | None = None,
) -> Callable[[Declared], Declared]:
    """Declare ``impl`` as the action ``name``; see the module docstring."""
    if name in FLOW_TYPES:
        raise ValueError(f"{name!r} is a flow action type and cannot be registered")

    def declare(impl: Declared) -> Declared:
        spec = ActionSpec(
            name=name,
            input_model=input,
            output_model=output,
            description=description,
            impl=impl,
            timeout=timeout,
            retry=retry or RetryDefaults(),
            event_fields=event_fields,
            heartbeat=heartbeat,
            defaults=defaults or {},
        )
        setattr(impl, SPEC_ATTRIBUTE, spec)
        return impl

    return declare


class ActionRegistry(Mapping[str, ActionSpec]):
    """The actions one process runs and lists, by name; read-only once built."""

    def __init__(self, specs: Iterable[ActionSpec] = ()) -> None:
        self._specs: dict[str, ActionSpec] = {}
        for spec in specs:
            self._add(spec)

    @classmethod
    def from_modules(cls, modules: Iterable[ModuleType]) -> "ActionRegistry":
        return cls(spec for module in modules for spec in declared_in(module))

    def _add(self, spec: ActionSpec) -> None:
        existing = self._specs.get(spec.name)
        if existing is not None and existing.impl is not spec.impl:
            raise ValueError(
                f"action {spec.name!r} is declared twice: by {existing.module} and by {spec.module}"
            )
        self._specs[spec.name] = spec

    def __getitem__(self, name: str) -> ActionSpec:
        return self._specs[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._specs)

    def __len__(self) -> int:
        return len(self._specs)

    def __repr__(self) -> str:
        return f"ActionRegistry({sorted(self._specs)})"


def declared_in(module: ModuleType) -> list[ActionSpec]:
    """The actions a module declares or imports, its submodules' included (a package lists
    its actions by importing its modules, as ``activities.builtin`` does)."""
    found: list[ActionSpec] = []
    seen: set[str] = set()

    def visit(mod: ModuleType) -> None:
        seen.add(mod.__name__)
        for value in list(vars(mod).values()):
            if isinstance(value, ModuleType):
                if value.__name__.startswith(mod.__name__ + ".") and value.__name__ not in seen:
                    visit(value)
                continue
            spec = getattr(value, SPEC_ATTRIBUTE, None)
            # A subclass inherits the attribute; only the declared object itself counts.
            if isinstance(spec, ActionSpec) and spec.impl is value:
                found.append(spec)

    visit(module)
    return found


def load_actions(module_names: Sequence[str]) -> ActionRegistry:
    """Import the built-ins and the named product modules; their actions and nothing else."""
    modules = [importlib.import_module(name) for name in (*BUILTIN_MODULES, *module_names)]
    return ActionRegistry.from_modules(modules)
