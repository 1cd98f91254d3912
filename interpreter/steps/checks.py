"""What a step kind's save-time checks may ask of the compiler (``interpreter.compile``)."""

from collections.abc import Mapping
from datetime import timedelta
from typing import Any, Protocol

from pydantic import BaseModel


class RetryInfo(Protocol):
    """An action's default retry policy."""

    @property
    def max_attempts(self) -> int: ...

    @property
    def initial_interval(self) -> timedelta: ...

    @property
    def backoff(self) -> float: ...

    @property
    def max_interval(self) -> timedelta: ...


class ActionInfo(Protocol):
    """What the compiler needs to know of a registered action (``ActionSpec`` fits)."""

    @property
    def input_model(self) -> type[BaseModel]: ...

    @property
    def event_fields(self) -> tuple[str, ...]: ...

    @property
    def defaults(self) -> dict[str, Any]: ...

    @property
    def timeout(self) -> timedelta: ...

    @property
    def retry(self) -> RetryInfo: ...

    @property
    def heartbeat(self) -> timedelta | None: ...


class StepCheck(Protocol):
    """Checks of one step; ``field`` is relative to the step, as in ``data.message``."""

    @property
    def actions(self) -> Mapping[str, ActionInfo]: ...

    def problem(self, field: str, message: str) -> None: ...

    def expression(self, field: str, source: str) -> None:
        """Report ``source`` if it does not parse or reads a step that does not exist."""
