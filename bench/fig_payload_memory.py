"""Worker memory after large outputs: the RSS of a worker process once it has run ``runs`` runs
whose one action returns 1 MiB (``bench_blob``; the claim check stores it), sampled as the runs
go, then once they are all done and the process is idle again.

Four fresh worker processes, each on a task queue of its own, measured at the same time:
- ``relay``: Relay's worker as it ships (``RELAY_WORKER_MEMORY_TRIM_INTERVAL`` at its default);
- ``untrimmed``: the same with ``RELAY_WORKER_MEMORY_TRIM_INTERVAL=0``, how Relay ran before
  ``worker/memory.py``;
- ``mmap``: the option that also lowers the peak, ``RELAY_WORKER_MMAP_THRESHOLD=131072``, at a
  CPU cost (``worker_cpu_ms_per_run``);
- ``baseline``: plain Temporal's worker running ``PlainBlob`` (an activity returning the same
  1 MiB, SDK defaults, no claim check).
The row's figure is what each keeps once the runs are done and it is idle again, after one trim
interval: what a worker holds for good after a burst of large runs (docs/performance.md,
"Worker memory").
"""

import asyncio
import uuid
from typing import Any

from activities.registry import load_actions
from bench.blob_actions import BLOB, MIB
from bench.definitions import start_relay
from bench.plain_blob import PLAIN_BLOB_WORKFLOW, BlobJob
from bench.procs import Child, cpu_seconds, rss_kib, settled_rss_kib, spawn, wait_polling
from bench.report import Results, Row, echo, ratio
from bench.sizes import Sizes
from bench.stack import ACTION_MODULES, Stack, relay_env, start_plain_worker
from bench.stats import pool
from interpreter.compile import compile_definition

BLOB_MODULES = (ACTION_MODULES, "bench.blob_actions")
SIDES = ("relay", "untrimmed", "mmap", "baseline")
# RELAY_* settings of each Relay side beside the stack's.
SIDE_ENV = {
    "relay": {},
    "untrimmed": {"RELAY_WORKER_MEMORY_TRIM_INTERVAL": "0"},
    "mmap": {"RELAY_WORKER_MMAP_THRESHOLD": str(128 * 1024)},
}
# How many RSS readings are taken while the runs go.
SAMPLES = 10


def _definition(size: int) -> dict[str, Any]:
    document = {"name": "Large output", "actions": [{"id": "make", "type": BLOB, "data": {"size": size}}]}
    return compile_definition(document, load_actions(list(BLOB_MODULES))).definition


async def _start(stack: Stack, side: str, queue: str) -> Child:
    log = stack.workdir / f"worker-payload-memory-{side}.log"
    if side == "baseline":
        return await start_plain_worker(
            stack.settings.temporal_address, stack.plain_client, log, task_queue=queue
        )
    settings = stack.settings.model_copy(update={"task_queue": queue, "action_modules": list(BLOB_MODULES)})
    env = {**relay_env(settings), **SIDE_ENV[side]}
    worker = await spawn(f"worker ({side})", ["-m", "bench.worker"], env=env, log=log)
    try:
        await wait_polling(worker, stack.client, queue)
    except BaseException:
        await worker.stop()
        raise
    return worker


async def _side(stack: Stack, side: str, runs: int, size: int, concurrency: int) -> dict[str, Any]:
    queue = f"bench-payload-memory-{side}-{uuid.uuid4().hex[:6]}"
    worker = await _start(stack, side, queue)
    definition = _definition(size) if side != "baseline" else {}
    every = max(1, runs // SAMPLES)
    samples: list[tuple[int, float]] = []
    done = 0
    try:
        idle = await settled_rss_kib(worker.pid)
        cpu_before = cpu_seconds(worker.pid)

        async def one(_: int) -> None:
            nonlocal done
            if side == "baseline":
                result = await stack.plain_client.execute_workflow(
                    PLAIN_BLOB_WORKFLOW, BlobJob(size=size),
                    id=f"plain-blob-{uuid.uuid4().hex[:12]}", task_queue=queue, result_type=int,
                )  # fmt: skip
                assert result == size
            else:
                handle = await start_relay(stack.client, queue, definition)
                outcome = await handle.result()
                assert outcome.status == "completed", outcome
            done += 1
            if done % every == 0:
                samples.append((done, round(rss_kib(worker.pid) / 1024, 1)))

        seconds = await pool(runs, concurrency, one)
        cpu = cpu_seconds(worker.pid) - cpu_before
        # One trim interval (a no-op on the sides that do not trim), then the settled RSS.
        await asyncio.sleep(stack.settings.worker_memory_trim_interval + 1)
        after = await settled_rss_kib(worker.pid)
    finally:
        await worker.stop()
    return {
        "idle_mib": round(idle / 1024, 1),
        "after_mib": round(after / 1024, 1),
        "peak_sampled_mib": max((rss for _, rss in samples), default=None),
        "samples_runs_mib": samples,
        "seconds": round(seconds, 1),
        "worker_cpu_ms_per_run": round(1000 * cpu / runs, 1),
    }


async def measure(stack: Stack, results: Results, sizes: Sizes) -> None:
    runs, size = sizes.large_output_runs, sizes.large_output_bytes
    # Side by side, at once: each worker process is measured on its own.
    measured = await asyncio.gather(
        *(_side(stack, side, runs, size, sizes.large_output_concurrency) for side in SIDES)
    )
    by_side = dict(zip(SIDES, measured, strict=True))
    for side, found in by_side.items():
        echo(f"    {side}: {found}")
    relay, base = by_side["relay"]["after_mib"], by_side["baseline"]["after_mib"]
    results.add(Row(
        id="memory.large_outputs", server=stack.server, unit="MiB",
        figure=f"worker RSS after {runs:,} runs with {size / MIB:g} MiB outputs, Relay vs plain Temporal "
        f"(Relay untrimmed: {by_side['untrimmed']['after_mib']:g} MiB)",
        relay=relay, baseline=base, ratio=ratio(relay, base), target="report", details=by_side,
    ))  # fmt: skip
