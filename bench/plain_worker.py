"""``python -m bench.plain_worker ADDRESS TASK_QUEUE``: a worker for the plain Temporal
baseline, in a process of its own, built as the SDK's samples build one (every option at its
default), until SIGTERM."""

import asyncio
import signal
import sys

from temporalio.client import Client
from temporalio.worker import Worker

from bench.plain import PlainChain, plain_io, plain_noop
from bench.plain_blob import PlainBlob, plain_blob


async def serve(address: str, task_queue: str) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    client = await Client.connect(address)
    worker = Worker(
        client,
        task_queue=task_queue,
        workflows=[PlainChain, PlainBlob],
        activities=[plain_noop, plain_io, plain_blob],
    )
    async with worker:
        await stop.wait()


if __name__ == "__main__":
    asyncio.run(serve(sys.argv[1], sys.argv[2]))
