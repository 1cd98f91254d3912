"""The benchmark's worker: ``worker.build.build_worker`` with the hand-written baseline
workflow added, so both run on one worker with the same sandbox runner, data converter
and activities.

``python -m bench.worker`` serves it as a process (settings from RELAY_*) until SIGTERM.
"""

import asyncio
import logging
import signal

import httpx
from sqlalchemy import Engine
from temporalio.client import Client
from temporalio.worker import Worker

from bench.baseline import BenchBaseline
from relay.core.settings import Settings, get_settings
from relay.core.temporal import connect
from relay.storage import create_db_engine, upgrade
from worker.build import build_worker
from worker.memory import fix_mmap_threshold, trim_freed_memory


def build_bench_worker(
    client: Client, *, settings: Settings, engine: Engine, http: httpx.AsyncClient
) -> Worker:
    """``build_worker``'s worker with ``BenchBaseline`` registered beside ``RelayRun``."""
    return build_worker(client, settings=settings, engine=engine, http=http, extra_workflows=[BenchBaseline])


async def serve(settings: Settings) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    fix_mmap_threshold(settings.worker_mmap_threshold)  # as ``relay worker`` does
    engine = create_db_engine(settings.database_url)
    upgrade(engine)
    client = await connect(settings, engine=engine)
    async with httpx.AsyncClient(timeout=30) as http:
        worker = build_bench_worker(client, settings=settings, engine=engine, http=http)
        async with worker:
            trimming = asyncio.create_task(trim_freed_memory(settings.worker_memory_trim_interval))
            await stop.wait()
            trimming.cancel()
    engine.dispose()


if __name__ == "__main__":
    logging.basicConfig(level=logging.WARNING)
    asyncio.run(serve(get_settings()))
