"""The benchmark's worker: what ``worker.build.build_worker`` wires, plus the hand-written
baseline workflow, so both run on one worker with the same sandbox runner, data converter
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

from activities.registry import load_actions
from activities.runtime import ActionRuntime
from activities.system import SystemActivities
from bench.baseline import BenchBaseline
from interpreter.workflow import RelayRun
from relay.settings import Settings, get_settings
from relay.storage import create_db_engine, init_db
from relay.temporal import connect, with_relay_converter
from worker.build import workflow_runner


def build_bench_worker(
    client: Client, *, settings: Settings, engine: Engine, http: httpx.AsyncClient
) -> Worker:
    """``build_worker``'s worker with ``BenchBaseline`` registered beside ``RelayRun``.

    Mirrors ``worker.build.build_worker`` line for line (a Temporal client holds one worker
    per task queue, so that worker cannot be built and then copied): keep the two in step.
    """
    specs = load_actions(settings.action_module_names)
    runtime = ActionRuntime(settings=settings, engine=engine, http=http)
    return Worker(
        with_relay_converter(client, engine, settings=settings),
        task_queue=settings.task_queue,
        workflows=[RelayRun, BenchBaseline],
        activities=[*runtime.activities(specs), SystemActivities(engine=engine).prepare_invoke],
        workflow_runner=workflow_runner(),
    )


async def serve(settings: Settings) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    engine = create_db_engine(settings.database_url)
    init_db(engine)
    client = await connect(settings, engine=engine)
    async with httpx.AsyncClient(timeout=30) as http:
        worker = build_bench_worker(client, settings=settings, engine=engine, http=http)
        async with worker:
            await stop.wait()
    engine.dispose()


if __name__ == "__main__":
    logging.basicConfig(level=logging.WARNING)
    asyncio.run(serve(get_settings()))
