"""The API's Prometheus metrics (``GET /metrics``). No label holds an account, run or event id.

Events are received by the API process, so it counts them itself. Runs start and end in
workers, any number of them, so the run counters are read from the Run rows at each scrape
(``RunCounts``): exact across every process and restart. Several API replicas report the
same run totals: aggregate those with ``max``, not ``sum``.
"""

import logging
from collections.abc import Iterator

from prometheus_client import CollectorRegistry, Counter, Histogram, disable_created_metrics
from prometheus_client.core import CounterMetricFamily
from prometheus_client.gc_collector import GCCollector
from prometheus_client.platform_collector import PlatformCollector
from prometheus_client.process_collector import ProcessCollector
from prometheus_client.registry import Collector
from sqlalchemy import Engine, func
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session, col, select

from relay.services.run_start import TERMINAL
from relay.storage.tables import Run

log = logging.getLogger(__name__)

# Recorded runs that have not started: not counted in relay_runs_started_total.
NOT_STARTED = frozenset({"pending", "queued"})

# Not registered globally: each app registers them in its own registry (``api_registry``),
# so several apps in one process (the tests) share the counts without clashing.
EVENTS_RECEIVED = Counter(
    "relay_events_received", "events accepted by POST /v1/events in this process", registry=None
)
EVENT_INTAKE_SECONDS = Histogram(
    "relay_event_intake_seconds",
    "time to record an accepted event and start its runs (POST /v1/events)",
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
    registry=None,
)


class RunCounts(Collector):
    """``relay_runs_started_total`` (runs past ``pending`` and ``queued``) and
    ``relay_runs_ended_total{status}``, counted from the Run rows (``status`` is indexed)."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def collect(self) -> Iterator[CounterMetricFamily]:
        try:
            with Session(self._engine) as session:
                rows = session.exec(select(Run.status, func.count()).group_by(col(Run.status))).all()
        except SQLAlchemyError as exc:  # the scrape answers without them; the gap shows it
            log.warning("run metrics unavailable: the database did not answer: %s", type(exc).__name__)
            return
        counts = {status: int(count) for status, count in rows}
        started = CounterMetricFamily(
            "relay_runs_started", "runs that started (left pending or queued), all workers"
        )
        started.add_metric([], sum(n for status, n in counts.items() if status not in NOT_STARTED))
        ended = CounterMetricFamily(
            "relay_runs_ended", "runs that ended, by status, all workers", labels=["status"]
        )
        for status in sorted(TERMINAL):
            ended.add_metric([status], counts.get(status, 0))
        yield started
        yield ended


def api_registry(engine: Engine) -> CollectorRegistry:
    """Everything ``GET /metrics`` serves: intake, runs, and the process's own (CPU, memory, GC)."""
    # ``*_created`` gauges (one per counter and histogram) only double what Prometheus tracks.
    disable_created_metrics()
    registry = CollectorRegistry()
    for collector in (EVENTS_RECEIVED, EVENT_INTAKE_SECONDS, RunCounts(engine)):
        registry.register(collector)
    ProcessCollector(registry=registry)
    PlatformCollector(registry=registry)
    GCCollector(registry=registry)
    return registry
