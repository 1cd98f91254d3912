"""Failures the services raise; each front end (HTTP, CLI, actions) reports them its own way."""


class RelayError(Exception):
    """A failure whose ``message`` is meant for the caller; ``field`` names the input at fault."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class NotFound(RelayError):
    """The resource does not exist, or belongs to another account."""


class Conflict(RelayError):
    """The request is valid but the resource's state does not allow it."""


class Invalid(RelayError):
    """The input is wrong in a way only the service can tell (a version that does not exist)."""
