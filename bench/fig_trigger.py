"""2. Trigger overhead: ``POST /v1/events`` (uvicorn on loopback, its reply comes once the run
is started) versus ``client.start_workflow`` of the same ``RelayRun`` input, with the same
options, straight from the benchmark process. Both start on the API's task queue, which no
worker polls, so neither side shares the CPU with the runs it starts.
"""

import time
import uuid
from collections.abc import Awaitable, Callable

from temporalio.common import WorkflowIDReusePolicy

from bench.definitions import PING, compiled, publish, run_input, triggered
from bench.procs import cpu_seconds
from bench.report import Results, Row
from bench.sizes import Sizes
from bench.stack import Stack
from bench.stats import alternate, median, paired_ratio, pool, summary
from interpreter.contract import WORKFLOW_NAME, EventPayload, RunResult, search_attributes

RATE_TARGET = 0.9
LATENCY_TARGET = 2.0


async def measure(stack: Stack, results: Results, sizes: Sizes) -> None:
    account_id, key = stack.account(f"Trigger {stack.server}")
    document = triggered(PING)
    definition = compiled(document)
    queue = stack.api_queue
    async with stack.http(key, limits=sizes.concurrency + 5) as http:
        workflow_id = await publish(http, document)

        async def post(_: int = 0) -> None:
            answer = await http.post("/v1/events", json={"name": PING, "data": {}})
            if answer.status_code != 202 or len(answer.json()["runs"]) != 1:
                raise RuntimeError(f"POST /v1/events: {answer.status_code} {answer.text}")

        async def start(_: int = 0) -> None:
            # What relay.services.run_start.start_run sends, with an event like the API's.
            run = run_input(
                definition,
                account_id=account_id,
                workflow_id=workflow_id,
                event=EventPayload(id=uuid.uuid4().hex, name=PING, data={}),
            )
            await stack.client.start_workflow(
                WORKFLOW_NAME,
                run,
                id=f"relay-{account_id}-{workflow_id}-evt-{run.event.id}",  # type: ignore[union-attr]
                result_type=RunResult,
                task_queue=queue,
                id_reuse_policy=WorkflowIDReusePolicy.REJECT_DUPLICATE,
                search_attributes=search_attributes(run),
                static_summary=f"{document['name']} v1 · event {PING}",
            )  # fmt: skip

        relay, base = await alternate(
            lambda: _latency(post), lambda: _latency(start),
            rounds=sizes.trigger_latency_rounds, warmup=sizes.warmup,
        )  # fmt: skip
        slower = paired_ratio(relay, base)
        results.add(Row(
            id="trigger.latency", server=stack.server, unit="ms",
            figure="POST /v1/events until the run is started vs start_workflow, p50",
            relay=round(median(relay) * 1000, 2), baseline=round(median(base) * 1000, 2),
            ratio=slower, target=f"≤ {LATENCY_TARGET}", met=slower <= LATENCY_TARGET,
            details={"relay_s": summary(relay), "baseline_s": summary(base)},
        ))  # fmt: skip
        count, lanes = sizes.trigger_starts, sizes.concurrency
        cpu: dict[str, list[float]] = {"api": [], "driver_posting": [], "driver_starting": []}

        async def posting() -> float:
            api, driver = cpu_seconds(stack.api.pid), time.process_time()
            elapsed = await pool(count, lanes, post)
            cpu["api"].append((cpu_seconds(stack.api.pid) - api) / count * 1000)
            cpu["driver_posting"].append((time.process_time() - driver) / count * 1000)
            return elapsed

        async def starting() -> float:
            driver = time.process_time()
            elapsed = await pool(count, lanes, start)
            cpu["driver_starting"].append((time.process_time() - driver) / count * 1000)
            return elapsed

        relay, base = await alternate(
            posting, starting, rounds=sizes.trigger_rounds, warmup=min(1, sizes.warmup)
        )
        relay_rate, base_rate = count / median(relay), count / median(base)
        share = paired_ratio(base, relay)  # rates: the inverse of the times
        results.add(Row(
            id="trigger.rate", server=stack.server, unit="starts/s",
            figure=f"sustained starts at concurrency {lanes}",
            relay=round(relay_rate, 1), baseline=round(base_rate, 1), ratio=share,
            target=f"≥ {RATE_TARGET}", met=share >= RATE_TARGET,
            details={
                "starts_per_round": count, "relay_s": summary(relay), "baseline_s": summary(base),
                # CPU ms per start: the API process per event; the benchmark process posting
                # (httpx) or starting directly (the Temporal client).
                "cpu_ms_per_start": {k: round(median(v), 2) for k, v in cpu.items() if v},
            },
        ))  # fmt: skip


async def _latency(work: Callable[[], Awaitable[None]]) -> float:
    began = time.perf_counter()
    await work()
    return time.perf_counter() - began
