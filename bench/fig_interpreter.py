"""1. Interpreter overhead: a Relay definition versus the hand-written workflow, same activity.

Latency: one 20-step sequential run at a time, start to result. Throughput: 200 runs of 5
steps started at once, wall time until the last result. Both started straight on the
client, so only the workflow code differs.

A run's latency is mostly Temporal's own: each workflow task waits in the server before a
worker gets it. So the latency runs also report the interpreter's share proper: the time
the worker spent on each workflow task (task started to completed, from the run's history).
"""

import asyncio
import time
import uuid
from typing import Any

from temporalio.api.enums.v1 import EventType
from temporalio.client import WorkflowHandle

from bench.baseline import BASELINE_WORKFLOW, BaselineInput, BaselineResult
from bench.definitions import chain, compiled, start_relay
from bench.procs import cpu_seconds
from bench.report import Results, Row
from bench.sizes import Sizes
from bench.stack import Stack
from bench.stats import alternate, median, paired_ratio, summary

TARGET = 1.10


async def _baseline(stack: Stack, steps: int) -> Any:
    run_id = f"base-{uuid.uuid4().hex[:12]}"
    return await stack.client.start_workflow(
        BASELINE_WORKFLOW,
        BaselineInput(run_id=run_id, steps=steps),
        id=f"bench-{run_id}",
        task_queue=stack.settings.task_queue,
        result_type=BaselineResult,
    )


async def task_seconds(handle: WorkflowHandle[Any, Any]) -> float:
    """Mean seconds the worker held one of the run's workflow tasks (task started to completed)."""
    held: list[float] = []
    started = None
    for event in (await handle.fetch_history()).events:
        if event.event_type == EventType.EVENT_TYPE_WORKFLOW_TASK_STARTED:
            started = event.event_time.ToDatetime()
        elif event.event_type == EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED and started is not None:
            held.append((event.event_time.ToDatetime() - started).total_seconds())
            started = None
    return sum(held) / len(held)


async def measure(stack: Stack, results: Results, sizes: Sizes) -> None:
    queue = stack.settings.task_queue
    long = compiled(chain(sizes.latency_steps))
    short = compiled(chain(sizes.batch_steps))
    handles: dict[str, list[WorkflowHandle[Any, Any]]] = {"relay": [], "baseline": []}

    async def once(side: str, start: Any) -> float:
        began = time.perf_counter()
        handle = await start()
        await handle.result()
        elapsed = time.perf_counter() - began
        handles[side].append(handle)
        return elapsed

    relay, base = await alternate(
        lambda: once("relay", lambda: start_relay(stack.client, queue, long)),
        lambda: once("baseline", lambda: _baseline(stack, sizes.latency_steps)),
        rounds=sizes.latency_rounds,
        warmup=sizes.warmup,
    )
    _row(results, stack, "interpreter.latency", f"{sizes.latency_steps}-step sequential run, p50 latency",
         "ms", relay, base, scale=1000)  # fmt: skip
    kept = sizes.latency_rounds
    per_task = [[await task_seconds(h) for h in handles[side][-kept:]] for side in ("relay", "baseline")]
    results.add(Row(
        id="interpreter.task_time", server=stack.server, unit="ms",
        figure="worker time per workflow task in those runs, p50 (the interpreter's share)",
        relay=round(median(per_task[0]) * 1000, 2), baseline=round(median(per_task[1]) * 1000, 2),
        ratio=paired_ratio(per_task[0], per_task[1]), target="report",
        details={"relay_s": summary(per_task[0]), "baseline_s": summary(per_task[1])},
    ))  # fmt: skip

    cpu: dict[str, list[float]] = {"relay": [], "baseline": []}

    async def batch(side: str, start: Any) -> float:
        """Wall time of one batch; the worker's CPU time for it goes to ``cpu``."""
        before = cpu_seconds(stack.worker.pid)
        began = time.perf_counter()
        handles = await asyncio.gather(*(start() for _ in range(sizes.batch_runs)))
        await asyncio.gather(*(h.result() for h in handles))
        elapsed = time.perf_counter() - began
        cpu[side].append(cpu_seconds(stack.worker.pid) - before)
        return elapsed

    # The latency runs above warmed both sides up.
    relay, base = await alternate(
        lambda: batch("relay", lambda: start_relay(stack.client, queue, short)),
        lambda: batch("baseline", lambda: _baseline(stack, sizes.batch_steps)),
        rounds=sizes.batch_rounds,
        warmup=0,
    )
    label = f"{sizes.batch_runs} concurrent {sizes.batch_steps}-step runs, wall time"
    row = _row(results, stack, "interpreter.throughput", label, "s", relay, base)
    row.details["runs_per_s"] = {
        "relay": round(sizes.batch_runs / median(relay), 1),
        "baseline": round(sizes.batch_runs / median(base), 1),
    }
    # CPU time is steadier than wall time on a shared machine: it is what the worker spent.
    per_run = {side: [c / sizes.batch_runs * 1000 for c in cpu[side]] for side in cpu}
    results.add(Row(
        id="interpreter.worker_cpu", server=stack.server, unit="ms per run",
        figure=f"worker CPU time per {sizes.batch_steps}-step run in those batches",
        relay=round(median(per_run["relay"]), 2), baseline=round(median(per_run["baseline"]), 2),
        ratio=paired_ratio(per_run["relay"], per_run["baseline"]), target="report",
        details={"relay_ms": [round(x, 2) for x in per_run["relay"]],
                 "baseline_ms": [round(x, 2) for x in per_run["baseline"]]},
    ))  # fmt: skip


def _row(
    results: Results, stack: Stack, key: str, figure: str, unit: str,
    relay: list[float], base: list[float], *, scale: float = 1.0,
) -> Row:  # fmt: skip
    relay_value, base_value = median(relay) * scale, median(base) * scale
    value = paired_ratio(relay, base)
    return results.add(
        Row(
            id=key,
            server=stack.server,
            figure=figure,
            unit=unit,
            relay=round(relay_value, 1 if scale > 1 else 3),
            baseline=round(base_value, 1 if scale > 1 else 3),
            ratio=value,
            target=f"≤ {TARGET:.2f}",
            met=value is not None and value <= TARGET,
            details={"relay_s": summary(relay), "baseline_s": summary(base)},
        )
    )
