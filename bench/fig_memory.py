"""5. Memory: the RSS of a worker process holding 1,000 sleeping runs (all in its workflow
cache, whose default size is 1,000), Relay's ``sleep`` step on a Relay worker versus plain
Temporal's ``workflow.sleep`` on a plain worker (``bench.plain_worker``, SDK defaults). Each
side gets a fresh worker process of its own on a task queue of its own; the two are
measured at the same time."""

import asyncio
import uuid
from typing import Any

from bench.definitions import compiled, sleeping, start_relay
from bench.plain import PLAIN_WORKFLOW, PlainJob
from bench.procs import settled_rss_kib
from bench.report import Results, Row, echo, ratio
from bench.sizes import Sizes
from bench.stack import Stack, start_plain_worker, start_worker
from bench.stats import median, pool

HOUR_MS = 3_600_000
ASLEEP_TIMEOUT = 300
RSS_CAP_MIB = 250
TARGET = 1.10


async def _asleep(stack: Stack, ids: list[str]) -> None:
    """Until every run has had its first workflow task (and so sleeps on its timer)."""

    async def one(index: int) -> None:
        handle = stack.client.get_workflow_handle(ids[index])
        # Started, task scheduled, started, completed, timer started.
        while (await handle.describe()).raw_description.workflow_execution_info.history_length < 5:  # noqa: ASYNC110
            await asyncio.sleep(0.5)

    async with asyncio.timeout(ASLEEP_TIMEOUT):
        await pool(len(ids), 20, one)


async def _side(stack: Stack, side: str, runs: int, concurrency: int) -> dict[str, Any]:
    queue = f"bench-memory-{side}-{uuid.uuid4().hex[:6]}"
    log = stack.workdir / f"worker-memory-{side}.log"
    if side == "relay":
        settings = stack.settings.model_copy(update={"task_queue": queue})
        worker = await start_worker(settings, stack.client, log)
    else:
        address = stack.settings.temporal_address
        worker = await start_plain_worker(address, stack.plain_client, log, task_queue=queue)
    try:
        idle = await settled_rss_kib(worker.pid)
        definition = compiled(sleeping())
        ids: list[str] = []

        async def start(_: int) -> None:
            if side == "relay":
                handle = await start_relay(stack.client, queue, definition)
            else:
                handle = await stack.plain_client.start_workflow(
                    PLAIN_WORKFLOW, PlainJob(steps=1, kind="sleep", sleep_ms=HOUR_MS),
                    id=f"plain-{uuid.uuid4().hex[:12]}", task_queue=queue, result_type=int,
                )  # fmt: skip
            ids.append(handle.id)

        await pool(runs, concurrency, start)
        await _asleep(stack, ids)
        loaded = await settled_rss_kib(worker.pid)
    finally:
        await worker.stop()
    return {"idle_kib": idle, "loaded_kib": loaded, "per_run_kib": round((loaded - idle) / runs, 2)}


async def measure(stack: Stack, results: Results, sizes: Sizes) -> None:
    runs = sizes.sleeping_runs
    rounds: dict[str, list[dict[str, Any]]] = {"relay": [], "baseline": []}
    for _ in range(sizes.memory_rounds):
        # Side by side, at once: each worker process is measured on its own.
        relay_side, base_side = await asyncio.gather(
            _side(stack, "relay", runs, sizes.concurrency), _side(stack, "baseline", runs, sizes.concurrency)
        )
        rounds["relay"].append(relay_side)
        rounds["baseline"].append(base_side)
        echo(f"    relay: {relay_side}; baseline: {base_side}")
    relay = median([r["loaded_kib"] for r in rounds["relay"]]) / 1024
    base = median([r["loaded_kib"] for r in rounds["baseline"]]) / 1024
    relay_each = median([r["per_run_kib"] for r in rounds["relay"]])
    base_each = median([r["per_run_kib"] for r in rounds["baseline"]])
    share = ratio(relay, base)
    results.add(Row(
        id="memory.rss", server=stack.server, unit="MiB",
        figure=f"worker RSS with {runs:,} sleeping runs, Relay vs plain Temporal",
        relay=round(relay, 1), baseline=round(base, 1), ratio=share,
        target=f"≤ {RSS_CAP_MIB} MiB and ≤ {TARGET:.2f}",
        met=relay <= RSS_CAP_MIB and share is not None and share <= TARGET, details=rounds,
    ))  # fmt: skip
    results.add(Row(
        id="memory.per_run", server=stack.server, unit="KiB per run",
        figure=f"worker RSS growth per sleeping run ({runs:,} runs)", relay=relay_each, baseline=base_each,
        ratio=ratio(relay_each, base_each), target="report",
    ))  # fmt: skip
