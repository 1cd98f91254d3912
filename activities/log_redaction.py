"""Secret values never reach a log line written while an action runs, whoever logs it.

The runtime sets the running action's secret values in a context variable; a log record
factory (installed once per process) blanks them out of every record made in that
context, so product actions that log carelessly are covered too.
"""

import contextvars
import logging
from collections.abc import Iterator, MutableMapping
from contextlib import contextmanager
from typing import Any

from activities.secrets import redact

_SECRETS: contextvars.ContextVar[tuple[str, ...]] = contextvars.ContextVar("relay_secret_values", default=())
_installed = False


def install() -> None:
    """Wrap the log record factory once; later calls do nothing."""
    global _installed
    if _installed:
        return
    previous = logging.getLogRecordFactory()

    def factory(*args: object, **kwargs: object) -> logging.LogRecord:
        record = previous(*args, **kwargs)
        values = _SECRETS.get()
        if values:
            record.msg = redact(record.getMessage(), list(values))
            record.args = ()
        return record

    logging.setLogRecordFactory(factory)
    _installed = True


@contextmanager
def secrets_in_scope(values: list[str]) -> Iterator[None]:
    """Redact ``values`` from every log record made inside the block."""
    token = _SECRETS.set(tuple(values))
    try:
        yield
    finally:
        _SECRETS.reset(token)


def redact_event(_logger: object, _method: str, event: MutableMapping[str, Any]) -> MutableMapping[str, Any]:
    """A structlog processor: the running action's secret values blanked out of every field of
    the finished line (message, ``extra`` fields, the formatted traceback)."""
    values = _SECRETS.get()
    if not values:
        return event
    for key, value in event.items():
        event[key] = redact(value, list(values))
    return event
