"""One logging set-up for every Relay process (API, worker, ``relay dev``'s children).

Relay's code logs through the standard library (``logging.getLogger``), and so do Temporal's
SDK and uvicorn; structlog's ``ProcessorFormatter`` renders every record the same way:
one JSON object a line (``RELAY_LOG_FORMAT=json``) or ``key=value`` text (``text``).
The ids of the run or step being handled come from ``structlog.contextvars`` (bound by the
worker's interceptor and the API's services), so every line written meanwhile carries them.
Structured fields are passed as ``extra={...}``.
"""

import logging
import logging.config
from collections.abc import Iterable
from typing import Any, Literal

import structlog
from structlog.typing import EventDict, Processor

LogFormat = Literal["json", "text"]

# Extras that repeat what the bound ids already say (the action logger's ``relay_*``), or that
# are the SDK's internals or uvicorn's terminal colours: kept out of the line.
_DROPPED_PREFIXES = ("relay_", "__temporal", "_from_structlog", "color_message")
# Quiet libraries: a line per applied migration or HTTP call is noise in an operator's log.
_QUIET = {"alembic": logging.WARNING, "httpx": logging.WARNING, "httpcore": logging.WARNING}


def _drop_noise(_logger: Any, _method: str, event: EventDict) -> EventDict:
    for key in [k for k in event if k.startswith(_DROPPED_PREFIXES)]:
        del event[key]
    return event


def _access_fields(_logger: Any, _method: str, event: EventDict) -> EventDict:
    """uvicorn's access line as fields too (``%s - "%s %s HTTP/%s" %d``), so JSON consumers
    need not parse the message (text lines show it already)."""
    args = event.pop("positional_args", None)  # the record's, for this processor only
    record = event.get("_record")
    if record is not None and record.name == "uvicorn.access" and isinstance(args, tuple) and len(args) == 5:
        client, method, path, http_version, status = args
        event.update(client=client, method=method, path=path, http_version=http_version, status=status)
    return event


def _without_args(_logger: Any, _method: str, event: EventDict) -> EventDict:
    event.pop("positional_args", None)
    return event


_SHARED: list[Processor] = [
    structlog.contextvars.merge_contextvars,
    structlog.stdlib.add_log_level,
    structlog.stdlib.add_logger_name,
    structlog.stdlib.ExtraAdder(),
    structlog.processors.TimeStamper(fmt="iso", utc=True),
]


def build_formatter(log_format: LogFormat, redactors: Iterable[Processor] = ()) -> logging.Formatter:
    """The formatter every Relay log handler uses (also named in ``logging_config``).

    ``redactors`` run on the finished event (message, fields and formatted traceback) right
    before rendering: the worker passes the one that blanks the running action's secrets.
    """
    renderer: Processor = (
        structlog.processors.JSONRenderer(default=str)
        if log_format == "json"
        else structlog.dev.ConsoleRenderer(colors=False)
    )
    return structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=[*_SHARED, _access_fields if log_format == "json" else _without_args],
        pass_foreign_args=True,
        processors=[
            structlog.stdlib.ProcessorFormatter.remove_processors_meta,
            _drop_noise,
            # Tracebacks become a string field first, so the redactors see them too.
            structlog.processors.format_exc_info,
            *redactors,
            renderer,
        ],
    )


def logging_config(log_format: LogFormat, *, level: str = "INFO") -> dict[str, Any]:
    """The set-up as a ``logging.config.dictConfig`` dict: uvicorn applies it (``log_config``)
    in every process it starts, its access lines included."""
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"relay": {"()": f"{__name__}.build_formatter", "log_format": log_format}},
        "handlers": {
            "stderr": {"class": "logging.StreamHandler", "formatter": "relay", "stream": "ext://sys.stderr"}
        },
        "root": {"handlers": ["stderr"], "level": level},
        "loggers": {
            # uvicorn's own handlers would print its lines in its format: the root's instead.
            **{
                name: {"handlers": [], "propagate": True, "level": level}
                for name in ("uvicorn", "uvicorn.error", "uvicorn.access")
            },
            **{name: {"level": logging.getLevelName(quiet)} for name, quiet in _QUIET.items()},
        },
    }


def configure_logging(
    log_format: LogFormat, *, level: int = logging.INFO, redactors: Iterable[Processor] = ()
) -> None:
    """Route every stdlib logger (``relay.*``, ``temporalio``, ``uvicorn``…) through one
    handler on stderr, rendered as ``log_format``. Calling it again replaces the set-up."""
    logging.config.dictConfig(logging_config(log_format, level=logging.getLevelName(level)))
    logging.captureWarnings(True)  # library warnings as lines of the same format
    if redactors:
        for handler in logging.getLogger().handlers:
            handler.setFormatter(build_formatter(log_format, redactors))
    _sdk_messages_without_info()
    # structlog's own loggers (``structlog.get_logger``) go through the same stdlib handler.
    structlog.configure(
        processors=[*_SHARED, structlog.stdlib.ProcessorFormatter.wrap_for_formatter],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=True,
    )


def _sdk_messages_without_info() -> None:
    """The SDK appends a dict of workflow/activity info to every message; the line carries
    Relay's ids and the SDK's ``temporal_*`` field already."""
    import temporalio.activity
    import temporalio.workflow

    temporalio.activity.logger.activity_info_on_message = False
    temporalio.workflow.logger.workflow_info_on_message = False
