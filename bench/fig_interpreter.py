"""1. Interpreter overhead: a Relay definition versus plain Temporal, on the same dev server.

The baseline is plain Temporal (``bench.plain``): a hand-written workflow calling a no-op
activity, on a worker of its own with the SDK's defaults. The floor is the same workflow with
local activities: what a step costs the engine here, with no activity task round trip. A third
contender keeps the earlier comparison: the hand-written workflow on Relay's own worker
(``bench.baseline``: Relay's converter, sandbox and activity), which isolates the interpreter.

Latency: one 20-step sequential run at a time, start to result. Throughput: 200 runs of 5
steps started at once, wall time until the last result, and the worker processes' CPU time
per step meanwhile. All runs are started straight on a client, so only the workers differ.
"""

import asyncio
import time
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

from temporalio.api.enums.v1 import EventType
from temporalio.client import WorkflowHandle

from bench.baseline import BASELINE_WORKFLOW, BaselineInput, BaselineResult
from bench.definitions import chain, compiled, start_relay
from bench.plain import PLAIN_TASK_QUEUE, PLAIN_WORKFLOW, Kind, PlainJob
from bench.procs import cpu_seconds
from bench.report import Results, Row
from bench.sizes import Sizes
from bench.stack import Stack
from bench.stats import median, paired_ratio, rotate, summary

TARGET = 1.10
CPU_TARGET = 1.15

Start = Callable[[], Awaitable[WorkflowHandle[Any, Any]]]


def plain(stack: Stack, steps: int, kind: Kind = "activity") -> Start:
    async def start() -> WorkflowHandle[Any, Any]:
        return await stack.plain_client.start_workflow(
            PLAIN_WORKFLOW, PlainJob(steps=steps, kind=kind), id=f"plain-{uuid.uuid4().hex[:12]}",
            task_queue=PLAIN_TASK_QUEUE, result_type=int,
        )  # fmt: skip

    return start


def same_worker(stack: Stack, steps: int) -> Start:
    async def start() -> WorkflowHandle[Any, Any]:
        run_id = f"base-{uuid.uuid4().hex[:12]}"
        return await stack.client.start_workflow(
            BASELINE_WORKFLOW, BaselineInput(run_id=run_id, steps=steps), id=f"bench-{run_id}",
            task_queue=stack.settings.task_queue, result_type=BaselineResult,
        )  # fmt: skip

    return start


def relay(stack: Stack, steps: int) -> Start:
    definition = compiled(chain(steps))

    async def start() -> WorkflowHandle[Any, Any]:
        return await start_relay(stack.client, stack.settings.task_queue, definition)

    return start


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
    await _latency(stack, results, sizes)
    await _throughput(stack, results, sizes)


async def _latency(stack: Stack, results: Results, sizes: Sizes) -> None:
    steps = sizes.latency_steps
    handles: dict[str, list[WorkflowHandle[Any, Any]]] = {"relay": [], "plain": [], "other": []}

    def once(start: Start, *, side: str = "other") -> Callable[[], Awaitable[float]]:
        async def timed() -> float:
            began = time.perf_counter()
            handle = await start()
            await handle.result()
            handles[side].append(handle)
            return time.perf_counter() - began

        return timed

    relay_s, plain_s, floor_s, same_s = await rotate(
        [once(relay(stack, steps), side="relay"), once(plain(stack, steps), side="plain"),
         once(plain(stack, steps, "local")), once(same_worker(stack, steps))],
        rounds=sizes.latency_rounds, warmup=sizes.warmup,
    )  # fmt: skip
    label = f"{steps}-step sequential run, p50 latency"
    _ratio_row(results, stack, "interpreter.latency", f"{label}, Relay vs plain Temporal", "ms",
               relay_s, plain_s, scale=1000, target=TARGET)  # fmt: skip
    _ratio_row(results, stack, "interpreter.floor", f"{label}, Relay vs the floor (plain, local activities)",
               "ms", relay_s, floor_s, scale=1000)  # fmt: skip
    _ratio_row(results, stack, "interpreter.same_worker",
               f"{label}, Relay vs a hand-written workflow on Relay's worker", "ms", relay_s, same_s,
               scale=1000)  # fmt: skip
    kept = sizes.latency_rounds
    per_task = {side: [await task_seconds(h) for h in handles[side][-kept:]] for side in ("relay", "plain")}
    results.add(Row(
        id="interpreter.task_time", server=stack.server, unit="ms",
        figure="worker time per workflow task in the latency runs, p50 (the interpreter's share)",
        relay=round(median(per_task["relay"]) * 1000, 2), baseline=round(median(per_task["plain"]) * 1000, 2),
        ratio=paired_ratio(per_task["relay"], per_task["plain"]), target="report",
        details={"relay_s": summary(per_task["relay"]), "plain_s": summary(per_task["plain"])},
    ))  # fmt: skip


async def _throughput(stack: Stack, results: Results, sizes: Sizes) -> None:
    runs, steps = sizes.batch_runs, sizes.batch_steps
    cpu: dict[str, list[float]] = {"relay": [], "plain": []}

    def batch(side: str, start: Start, pid: int) -> Callable[[], Awaitable[float]]:
        async def timed() -> float:
            before = cpu_seconds(pid)
            began = time.perf_counter()
            handles = await asyncio.gather(*(start() for _ in range(runs)))
            await asyncio.gather(*(h.result() for h in handles))
            elapsed = time.perf_counter() - began
            cpu[side].append((cpu_seconds(pid) - before) / (runs * steps) * 1000)
            return elapsed

        return timed

    # The latency runs above warmed both sides up.
    relay_s, plain_s = await rotate(
        [batch("relay", relay(stack, steps), stack.worker.pid),
         batch("plain", plain(stack, steps), stack.plain.pid)],
        rounds=sizes.batch_rounds, warmup=0,
    )  # fmt: skip
    label = f"{runs} concurrent {steps}-step runs, wall time, Relay vs plain Temporal"
    row = _ratio_row(results, stack, "interpreter.throughput", label, "s", relay_s, plain_s, target=TARGET)
    rates = {"relay": runs / median(relay_s), "plain": runs / median(plain_s)}
    row.details["runs_per_s"] = {side: round(rate, 1) for side, rate in rates.items()}
    # CPU time is steadier than wall time on a shared machine: it is what each worker spent.
    label = "worker CPU time per step in those batches, Relay vs plain Temporal"
    _ratio_row(results, stack, "interpreter.worker_cpu", label, "ms", cpu["relay"], cpu["plain"],
               target=CPU_TARGET, raw=True)  # fmt: skip


def _ratio_row(
    results: Results, stack: Stack, key: str, figure: str, unit: str, relay_s: list[float],
    base_s: list[float], *, scale: float = 1.0, target: float | None = None, raw: bool = False,
) -> Row:  # fmt: skip
    """Relay against a baseline measured in the same rounds; ``raw``: samples are in ``unit``."""
    value = paired_ratio(relay_s, base_s)
    digits = 2 if raw else (1 if scale > 1 else 3)
    samples = "samples" if raw else "seconds"
    return results.add(Row(
        id=key, server=stack.server, figure=figure, unit=unit,
        relay=round(median(relay_s) * scale, digits), baseline=round(median(base_s) * scale, digits),
        ratio=value, target=f"≤ {target:.2f}" if target else "report",
        met=(value <= target) if target else None,
        details={f"relay_{samples}": summary(relay_s), f"baseline_{samples}": summary(base_s)},
    ))  # fmt: skip
