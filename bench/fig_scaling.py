"""6. Scaling out: what a second process buys.

Workers: 200 runs of 5 I/O-bound steps (``bench_io``, 100 ms each) on one Relay worker
process versus two on another task queue, rounds alternating. API: sustained ``POST
/v1/events`` at concurrency 50 against ``relay api`` versus ``relay api --workers 2`` on the
same PostgreSQL database (SQLite serialises writers, so a second API process buys little
there). Both share this machine's cores with the Temporal server and the database.
"""

import asyncio
import time
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

import httpx

from bench.definitions import PING, compiled, publish, start_relay, triggered
from bench.noop_actions import IO
from bench.procs import Child, free_port, spawn, wait_http
from bench.report import Results, Row
from bench.sizes import Sizes
from bench.stack import Stack, relay_env, start_worker
from bench.stats import median, paired_ratio, pool, rotate, summary

WORKERS_TARGET = 0.75
API_TARGET = 1.6


def _io_chain(steps: int) -> dict[str, Any]:
    return {"name": "I/O chain", "actions": [{"type": IO} for _ in range(steps)]}


async def workers(stack: Stack, results: Results, sizes: Sizes) -> None:
    definition = compiled(_io_chain(sizes.io_steps))
    started: list[Child] = []
    queues = {count: f"bench-io-{count}-{uuid.uuid4().hex[:6]}" for count in (1, 2)}
    try:
        for count, queue in queues.items():
            settings = stack.settings.model_copy(update={"task_queue": queue})
            for index in range(count):
                log = stack.workdir / f"worker-io-{count}-{index}.log"
                started.append(await start_worker(settings, stack.client, log))

        def batch(queue: str) -> Callable[[], Awaitable[float]]:
            async def timed() -> float:
                began = time.perf_counter()
                handles = await asyncio.gather(
                    *(start_relay(stack.client, queue, definition) for _ in range(sizes.io_runs))
                )
                await asyncio.gather(*(h.result() for h in handles))
                return time.perf_counter() - began

            return timed

        two, one = await rotate([batch(queues[2]), batch(queues[1])], rounds=sizes.scaling_rounds, warmup=0)
    finally:
        for child in started:
            await child.stop()
    value = paired_ratio(two, one)
    results.add(Row(
        id="scaling.workers", server=stack.server, unit="s",
        figure=f"{sizes.io_runs} runs of {sizes.io_steps} I/O-bound steps, wall time, 2 workers vs 1",
        relay=round(median(two), 3), baseline=round(median(one), 3), ratio=value,
        target=f"≤ {WORKERS_TARGET:.2f}", met=value <= WORKERS_TARGET,
        details={"two_s": summary(two), "one_s": summary(one)},
    ))  # fmt: skip


async def _second_api(stack: Stack, processes: int) -> tuple[Child, str]:
    settings = stack.settings.model_copy(update={"task_queue": stack.api_queue, "api_port": free_port()})
    url = f"http://127.0.0.1:{settings.api_port}"
    args = ["-m", "relay.cli", "api", "--workers", str(processes)]
    child = await spawn(f"api x{processes}", args, env=relay_env(settings), log=stack.workdir / "api-2.log")
    await wait_http(child, f"{url}/healthz")
    return child, url


async def apis(stack: Stack, results: Results, sizes: Sizes) -> None:
    _, key = stack.account(f"Scaling {stack.server}")
    count, lanes = sizes.trigger_starts, sizes.concurrency
    two, url = await _second_api(stack, 2)
    try:
        async with stack.http(key, limits=lanes + 5) as one_http:
            await publish(one_http, triggered(PING))
            async with stack.http(key, limits=lanes + 5) as two_http:
                two_http.base_url = httpx.URL(url)

                def posting(http: httpx.AsyncClient) -> Callable[[], Awaitable[float]]:
                    async def post(_: int) -> None:
                        answer = await http.post("/v1/events", json={"name": PING, "data": {}})
                        if answer.status_code != 202:
                            raise RuntimeError(f"POST /v1/events: {answer.status_code} {answer.text}")

                    return lambda: pool(count, lanes, post)

                both, single = await rotate(
                    [posting(two_http), posting(one_http)],
                    rounds=sizes.scaling_rounds,
                    warmup=min(1, sizes.warmup),
                )
    finally:
        await two.stop()
    value = paired_ratio(single, both)  # rates: the inverse of the times
    results.add(Row(
        id="scaling.api", server=stack.server, unit="events/s",
        figure=f"sustained intake at concurrency {lanes} on {stack.database}, 2 API processes vs 1",
        relay=round(count / median(both), 1), baseline=round(count / median(single), 1), ratio=value,
        target=f"≥ {API_TARGET:.1f}", met=value >= API_TARGET,
        details={"two_s": summary(both), "one_s": summary(single)},
    ))  # fmt: skip
