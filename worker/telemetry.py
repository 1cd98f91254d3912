"""A worker's logs and metrics: the ids of each activity's run and step on every line it
writes, Relay's step metrics beside the Temporal SDK's on ``RELAY_WORKER_METRICS_PORT``, and
the SDK's per-attempt failure traceback kept for the failures Relay did not log itself.
"""

import asyncio
import logging
import time
from typing import Any

import structlog
from temporalio import activity
from temporalio.exceptions import ApplicationError
from temporalio.runtime import PrometheusConfig, Runtime, TelemetryConfig
from temporalio.worker import ActivityInboundInterceptor, ExecuteActivityInput, Interceptor

from activities import log_redaction
from activities.errors import was_logged
from relay.core.logs import configure_logging
from relay.core.settings import Settings

STEPS_TOTAL = "relay_steps_total"
STEP_SECONDS = "relay_step_seconds"
# Steps last from milliseconds (a set-up call) to minutes (a slow API, retried inside).
STEP_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 300.0)
# The ids an activity's input may carry (ActionRequest, RunRecord, InvokeRequest), in the
# names every log line uses.
_ID_FIELDS = {
    "account_id": "account_id",
    "workflow_id": "workflow_id",
    "run_id": "run_id",
    "step_id": "step_id",
    "item_index": "item_index",
    "parent_run_id": "parent_run_id",
}


log = logging.getLogger("relay.worker")


def configure_worker_logging(settings: Settings) -> None:
    """The common set-up (``RELAY_LOG_FORMAT``), plus the running action's secrets blanked
    out of every line, tracebacks included."""
    configure_logging(settings.log_format, redactors=[log_redaction.redact_event])


def metrics_runtime(settings: Settings) -> Runtime | None:
    """A Temporal runtime serving Prometheus metrics on ``RELAY_WORKER_METRICS_PORT``, or None
    (off). The SDK's metrics and Relay's step metrics come out of the one endpoint.

    Counters keep the SDK's names (no ``_total`` added: ``temporal_request``…); Relay's own
    counter is named ``relay_steps_total`` for that reason. Durations in seconds, as
    Prometheus expects.
    """
    if settings.worker_metrics_port is None:
        return None
    address = f"{settings.worker_metrics_host}:{settings.worker_metrics_port}"
    try:
        runtime = Runtime(
            telemetry=TelemetryConfig(
                metrics=PrometheusConfig(
                    bind_address=address,
                    durations_as_seconds=True,
                    histogram_bucket_overrides={STEP_SECONDS: list(STEP_BUCKETS)},
                )
            )
        )
    except Exception as exc:  # the core reports a taken port as a bare RuntimeError
        raise SystemExit(f"relay worker: cannot serve metrics on {address}: {exc}") from None
    log.info("serving Prometheus metrics on http://%s/metrics", address)
    return runtime


def outcome(error: BaseException | None) -> str:
    """A step attempt's ``outcome`` label: completed, failed (no retry will help), error (a
    retryable failure: Temporal tries again while the retry policy allows) or cancelled."""
    if error is None:
        return "completed"
    if isinstance(error, asyncio.CancelledError):
        return "cancelled"
    if isinstance(error, ApplicationError) and error.non_retryable:
        return "failed"
    return "error"


class Telemetry(Interceptor):
    """Binds each activity's ids to its log context; counts and times every action step."""

    def intercept_activity(self, next: ActivityInboundInterceptor) -> ActivityInboundInterceptor:
        return _ActivityTelemetry(next)


class _ActivityTelemetry(ActivityInboundInterceptor):
    async def execute_activity(self, input: ExecuteActivityInput) -> Any:
        info = activity.info()
        ids = _ids(input.args[0]) if input.args else {}
        # Each activity runs in its own task: what is bound here stays with this attempt, and
        # the SDK's own lines about it (written after this returns) carry the ids too.
        structlog.contextvars.clear_contextvars()
        structlog.contextvars.bind_contextvars(**ids, attempt=info.attempt)
        if "step_id" not in ids:  # Relay's system activities: no step metrics
            return await super().execute_activity(input)
        started = time.monotonic()
        error: BaseException | None = None
        try:
            return await super().execute_activity(input)
        except BaseException as exc:
            error = exc
            raise
        finally:
            _record_step(info.activity_type, outcome(error), time.monotonic() - started)


def _ids(arg: object) -> dict[str, Any]:
    # Duck-typed: the inputs are pydantic models of interpreter.contract.
    found = {name: getattr(arg, attr, None) for attr, name in _ID_FIELDS.items()}
    return {name: value for name, value in found.items() if value is not None}


def _record_step(action: str, result: str, seconds: float) -> None:
    # The activity's meter: a no-op unless the worker's runtime serves metrics. It adds the
    # SDK's namespace, task_queue and activity_type labels; none holds an id.
    try:
        meter = activity.metric_meter()
    except RuntimeError:  # a sync activity in another process has no meter: no step metrics
        return
    meter.create_counter(STEPS_TOTAL, "action step attempts by outcome").add(
        1, {"action": action, "outcome": result}
    )
    meter.create_histogram_float(STEP_SECONDS, "action step attempt duration", "s").record(
        seconds, {"action": action}
    )


class _SkipLoggedFailures(logging.Filter):
    """Drops the SDK's "Completing activity as failed" line (with its traceback, on every
    attempt) when Relay logged that failure already: one line with class and message for a
    classified error, one with the real traceback for an unexpected one."""

    def filter(self, record: logging.LogRecord) -> bool:
        error = record.exc_info[1] if record.exc_info else None
        return not (error is not None and was_logged(error))


def quiet_logged_failures() -> None:
    """Install the filter on the SDK's activity logger (once)."""
    logger = activity.logger.base_logger
    if not any(isinstance(f, _SkipLoggedFailures) for f in logger.filters):
        logger.addFilter(_SkipLoggedFailures())
