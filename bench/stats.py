"""Timing helpers: percentiles, a bounded pool of concurrent calls, and running two contenders
side by side, alternating A/B."""

import asyncio
import statistics
import time
from collections.abc import Awaitable, Callable
from typing import Any


def summary(samples: list[float]) -> dict[str, Any]:
    """n, p50, p95, mean, min, max of ``samples`` (rounded for the results file)."""
    ordered = sorted(samples)
    if not ordered:
        return {"n": 0}

    def pct(q: float) -> float:
        return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]

    return {
        "n": len(ordered),
        "p50": round(statistics.median(ordered), 4),
        "p95": round(pct(0.95), 4),
        "mean": round(statistics.fmean(ordered), 4),
        "min": round(ordered[0], 4),
        "max": round(ordered[-1], 4),
    }


def median(samples: list[float]) -> float:
    return statistics.median(samples)


def paired_ratio(a: list[float], b: list[float]) -> float:
    """Median of ``a[i] / b[i]``: each pair was measured back to back (``alternate``), so a
    load spike on the shared machine skews one pair, not the answer."""
    return round(statistics.median(x / y for x, y in zip(a, b, strict=True)), 3)


async def timed(work: Callable[[], Awaitable[Any]]) -> float:
    """Seconds ``work`` took, wall clock."""
    started = time.perf_counter()
    await work()
    return time.perf_counter() - started


async def alternate(
    a: Callable[[], Awaitable[float]],
    b: Callable[[], Awaitable[float]],
    *,
    rounds: int,
    warmup: int = 1,
) -> tuple[list[float], list[float]]:
    """Measure ``a`` and ``b`` in turns (ABBA order, so neither always goes first); the
    first ``warmup`` rounds of each are run but not kept."""
    kept_a: list[float] = []
    kept_b: list[float] = []
    for index in range(warmup + rounds):
        order = [(a, kept_a), (b, kept_b)]
        if index % 2:
            order.reverse()
        for measure, kept in order:
            value = await measure()
            if index >= warmup:
                kept.append(value)
    return kept_a, kept_b


async def rotate(
    contenders: list[Callable[[], Awaitable[float]]], *, rounds: int, warmup: int = 1
) -> list[list[float]]:
    """``alternate`` for any number of contenders: each round measures every one, the order
    rotated each round, so none always goes first or last."""
    kept: list[list[float]] = [[] for _ in contenders]
    for index in range(warmup + rounds):
        for offset in range(len(contenders)):
            position = (index + offset) % len(contenders)
            value = await contenders[position]()
            if index >= warmup:
                kept[position].append(value)
    return kept


async def pool(count: int, concurrency: int, one: Callable[[int], Awaitable[Any]]) -> float:
    """Run ``one(i)`` for i < count with at most ``concurrency`` in flight; seconds taken."""
    counter = iter(range(count))

    async def lane() -> None:
        for index in counter:
            await one(index)

    began = time.perf_counter()
    await asyncio.gather(*(lane() for _ in range(concurrency)))
    return time.perf_counter() - began
