"""3. Scale of matching: ``POST /v1/events`` latency as the number of live definitions
(one matching) and of runs waiting for events grows.

Each level lives in an account of its own in the same database, so the levels are measured
side by side, in turns, rather than one after the other on a machine whose load drifts.
The waiting runs are on the API's task queue, which no worker polls: they are open in
Temporal with their subscriptions recorded, which is all intake sees (it finds subscribers
by index and signals them by workflow id), and 11,000 first workflow tasks would otherwise
compete for the CPU with the measurement.
"""

import asyncio
import time
from typing import Any

import httpx

from bench.definitions import ORDER_APPROVED, publish, triggered, waiting
from bench.population import add_live_definitions, start_waiting_runs
from bench.report import Results, Row, echo
from bench.sizes import Sizes
from bench.stack import Stack
from bench.stats import median, paired_ratio, summary

TARGET = 1.2
WARMUP = 2
MATCH = "bench/match"


async def _post(http: httpx.AsyncClient, body: dict[str, Any]) -> tuple[float, dict[str, Any]]:
    began = time.perf_counter()
    answer = await http.post("/v1/events", json=body)
    elapsed = time.perf_counter() - began
    if answer.status_code != 202:
        raise RuntimeError(f"POST /v1/events: {answer.status_code} {answer.text}")
    return elapsed, answer.json()


async def _in_turns(
    clients: list[httpx.AsyncClient], samples: int, body: Any
) -> tuple[list[list[float]], list[list[dict[str, Any]]]]:
    """``samples`` sequential posts per client, the clients taking turns (order rotated)."""
    times: list[list[float]] = [[] for _ in clients]
    answers: list[list[dict[str, Any]]] = [[] for _ in clients]
    for sample in range(samples + WARMUP):
        for offset in range(len(clients)):
            index = (sample + offset) % len(clients)
            elapsed, answer = await _post(clients[index], body(index, sample))
            if sample >= WARMUP:
                times[index].append(elapsed)
                answers[index].append(answer)
    return times, answers


def _row(
    results: Results, stack: Stack, key: str, figure: str, levels: tuple[int, ...],
    times: list[list[float]], extra: dict[str, Any], *, smallest: int = 0,
) -> Row:  # fmt: skip
    """Relay column: the largest level; baseline column: level ``smallest``."""
    p50 = [median(t) * 1000 for t in times]
    worst = paired_ratio(times[-1], times[smallest])  # the levels took turns, sample by sample
    return results.add(Row(
        id=key, server=stack.server, figure=figure, unit="ms p50",
        relay=round(p50[-1], 2), baseline=round(p50[smallest], 2), ratio=worst,
        target=f"largest / smallest ≤ {TARGET}", met=worst <= TARGET,
        details={"levels": list(levels), "p50_ms": [round(x, 2) for x in p50],
                 "seconds": [summary(t) for t in times], **extra},
    ))  # fmt: skip


async def measure(stack: Stack, results: Results, sizes: Sizes) -> None:
    await _definitions(stack, results, sizes)
    await _waiting(stack, results, sizes)


async def _definitions(stack: Stack, results: Results, sizes: Sizes) -> None:
    accounts = [stack.account(f"Definitions {n}") for n in sizes.definitions]
    began = time.perf_counter()
    for (account_id, _), count in zip(accounts, sizes.definitions, strict=True):
        await asyncio.to_thread(add_live_definitions, stack.engine, account_id=account_id, count=count - 1)
    echo(f"    {sum(sizes.definitions):,} live definitions written in {time.perf_counter() - began:.1f}s")
    clients = [stack.http(key) for _, key in accounts]
    try:
        for http in clients:
            await publish(http, triggered(MATCH, name="The matching one"))
        times, answers = await _in_turns(
            clients, sizes.intake_samples, lambda i, s: {"name": MATCH, "data": {}}
        )
    finally:
        for http in clients:
            await http.aclose()
    started = [sorted({len(a["runs"]) for a in level}) for level in answers]
    label = " / ".join(f"{n:,}" for n in sizes.definitions)
    _row(results, stack, "matching.definitions", f"event intake with {label} live definitions (one matching)",
         sizes.definitions, times, {"runs_started_per_event": started})  # fmt: skip


async def _waiting(stack: Stack, results: Results, sizes: Sizes) -> None:
    accounts = [stack.account(f"Waiting {n}") for n in sizes.waiting]
    clients = [stack.http(key, limits=sizes.concurrency + 5) for _, key in accounts]
    try:
        for http in clients:
            await publish(http, waiting())
        began = time.perf_counter()
        for (account_id, _), count in zip(accounts, sizes.waiting, strict=True):
            started = await start_waiting_runs(
                stack, account_id=account_id, count=count, concurrency=sizes.concurrency
            )
            if started != count:
                raise RuntimeError(f"{started} runs started for {count} order events")
        echo(f"    {sum(sizes.waiting):,} waiting runs started in {time.perf_counter() - began:.1f}s")

        def other(index: int, sample: int) -> dict[str, Any]:
            return {"name": ORDER_APPROVED, "data": {"key": f"nobody-{sample}"}}

        def matching(index: int, sample: int) -> dict[str, Any]:
            return {"name": ORDER_APPROVED, "data": {"key": sample}}  # waiting run number `sample`

        miss_times, miss = await _in_turns(clients, sizes.intake_samples, other)
        hit_times, hit = await _in_turns(clients, sizes.intake_samples, matching)
    finally:
        for http in clients:
            await http.aclose()
    levels = sizes.waiting
    if any(
        max(a.get("resumed", 0) for a in level) == 0
        for count, level in zip(levels, hit, strict=True)
        if count
    ):
        results.notes.append(
            "matching.waiting_match: an event matching a waiting run resumed none; the event-waiter "
            "index was not active in this build, so that row measures intake without it"
        )
    label = " / ".join(f"{n:,}" for n in levels)
    _row(results, stack, "matching.waiting_other",
         f"event intake with {label} runs waiting (event matches none)", levels, miss_times,
         {"resumed": [sorted({a.get("resumed", 0) for a in lv}) for lv in miss]})  # fmt: skip
    # With no run waiting there is none to resume: the ratio is largest over the smallest
    # level that has runs waiting; the empty level stays in the details.
    _row(results, stack, "matching.waiting_match",
         f"event intake with {' / '.join(f'{n:,}' for n in levels[1:])} runs waiting (event resumes one)",
         levels, hit_times, {"resumed": [sorted({a.get("resumed", 0) for a in lv}) for lv in hit]},
         smallest=1)  # fmt: skip
