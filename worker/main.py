"""``relay worker``: one worker process, stopped gracefully by SIGINT or SIGTERM.

Run as many as you like on the same task queue; Temporal spreads the work between them.
"""

import asyncio
import logging
import signal
from datetime import timedelta

import httpx
from sqlalchemy import Engine

from relay.core.settings import Settings, get_settings
from relay.core.temporal import connect
from relay.core.tracing import configure_tracing
from relay.services.events import EventService
from relay.services.sweeper import Sweeper
from relay.storage import create_db_engine, ensure_schema
from worker.build import build_worker
from worker.memory import fix_mmap_threshold, trim_freed_memory
from worker.telemetry import configure_worker_logging, metrics_runtime

log = logging.getLogger("relay.worker")

DEFAULT_SHUTDOWN_GRACE = timedelta(seconds=30)


async def serve(
    settings: Settings,
    *,
    engine: Engine,
    shutdown_grace: timedelta = DEFAULT_SHUTDOWN_GRACE,
) -> None:
    """Poll the task queue until SIGINT/SIGTERM, then let in-flight activities finish.

    Activities still running after ``shutdown_grace`` are cancelled; Temporal retries them
    on another worker, so nothing is lost, only repeated.
    """
    configure_tracing("relay-worker")  # before connecting: the client carries the interceptor
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)

    try:
        client = await connect(settings, engine=engine, runtime=metrics_runtime(settings))
    except RuntimeError as exc:
        raise SystemExit(
            f"relay worker: cannot reach Temporal at {settings.temporal_address}: {exc}"
        ) from None
    async with httpx.AsyncClient(timeout=httpx.Timeout(30.0)) as http:
        worker = build_worker(
            client,
            settings=settings,
            engine=engine,
            http=http,
            graceful_shutdown_timeout=shutdown_grace,
        )
        running = asyncio.create_task(worker.run())
        stopping = asyncio.create_task(stop.wait())
        # Any live process hands on events a crashed API recorded but did not dispatch.
        events = EventService(engine=engine, temporal=client, settings=settings)
        sweeping = asyncio.create_task(Sweeper(events, interval=settings.sweep_interval).run(start_up=True))
        trimming = asyncio.create_task(trim_freed_memory(settings.worker_memory_trim_interval))
        log.info(
            "worker polling task queue %r on %s (namespace %s)",
            settings.task_queue,
            settings.temporal_address,
            settings.temporal_namespace,
        )
        done, _ = await asyncio.wait({running, stopping}, return_when=asyncio.FIRST_COMPLETED)
        sweeping.cancel()
        trimming.cancel()
        if running in done:
            stopping.cancel()
            running.result()  # a worker that stops by itself has failed: raise why
            return
        # A second signal now means "stop at once": give the default handlers back.
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.remove_signal_handler(sig)
        log.info("stopping: letting in-flight activities finish (up to %s)", shutdown_grace)
        await worker.shutdown()
        await running
        log.info("worker stopped")


def run(settings: Settings, *, shutdown_grace: timedelta = DEFAULT_SHUTDOWN_GRACE) -> None:
    """Blocking entry point used by ``relay worker`` and ``python -m worker.main``."""
    fix_mmap_threshold(settings.worker_mmap_threshold)  # large payloads' buffers (worker/memory.py)
    engine = create_db_engine(settings.database_url)
    ensure_schema(engine, auto_migrate=settings.auto_migrate)
    try:
        asyncio.run(serve(settings, engine=engine, shutdown_grace=shutdown_grace))
    finally:
        engine.dispose()


if __name__ == "__main__":
    # The worker does not reach back into the CLI: it reads its settings itself.
    configure_worker_logging(get_settings())
    run(get_settings())
