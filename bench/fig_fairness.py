"""Noisy neighbour (SPEC §8): one account's deep backlog against another account's few runs.

Two stacks, one after the other, each with its own dev server, ``relay api`` and one worker
process with a fixed number of activity slots:

- fairness **on**: the dev server with ``relay dev``'s dynamic configuration
  (``relay.core.dev_server``, fairness included) and ``RELAY_FAIRNESS=account``;
- fairness **off**: the same server without the fairness values and ``RELAY_FAIRNESS=off``.

On each: account B posts a few events on the idle system (B's idle time to first step);
account A posts a backlog of events whose one step sleeps for seconds; once A's runs fill the
worker, B posts again. A step reports its start to a local HTTP sink, so "time to first step" is
from B's POST to its step starting on the worker. A's throughput is its steps started per
second while it has the worker to itself (between its slots filling and B's posts).

Run on its own: ``python -m bench --only fairness`` (``--quick``: a small version). The worker
is ``python -m bench.fig_fairness worker`` (settings from RELAY_*, slots from BENCH_SLOTS).
"""

import asyncio
import json
import logging
import os
import signal
import sys
import threading
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
from pydantic import BaseModel
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.testing import WorkflowEnvironment

from activities import ActionContext, action
from bench.procs import Child, free_port, spawn, wait_http, wait_polling
from bench.report import Results, Row, echo
from bench.sizes import Sizes
from bench.stack import Stack, output_of_children_to, relay_env, temporal_binary
from relay.core.dev_server import THROUGHPUT, dynamic_config_args
from relay.core.settings import Settings
from relay.core.temporal import SEARCH_ATTRIBUTES, with_relay_converter
from relay.services.accounts import create_account
from relay.storage import create_db_engine, upgrade
from relay.storage.secrets import new_key

SLEEP = "bench_fair_sleep"
TASK_QUEUE = "bench-fairness"


class SleepIn(BaseModel):
    seconds: float
    report_to: str
    tag: str


class SleepOut(BaseModel):
    tag: str


async def sleep_step(data: SleepIn, ctx: ActionContext) -> SleepOut:
    await ctx.http.post(data.report_to, json={"tag": data.tag, "at": time.time()})
    await asyncio.sleep(data.seconds)
    return SleepOut(tag=data.tag)


if __name__ != "__main__":  # the worker process (``__main__``) loads it by name from RELAY_ACTION_MODULES
    action(SLEEP, input=SleepIn, output=SleepOut, description="reports its start to report_to, then sleeps")(
        sleep_step
    )


@dataclass(frozen=True)
class Plan:
    a_events: int
    b_events: int
    step_seconds: float
    slots: int
    # A's steps started before B posts (its slots filled, then this many more: the window of
    # A's throughput alone).
    a_alone: int
    # How long B may wait for its steps before the figure says "more than this".
    b_patience: float


FULL_PLAN = Plan(a_events=600, b_events=5, step_seconds=3.0, slots=20, a_alone=60, b_patience=300.0)
QUICK_PLAN = Plan(a_events=24, b_events=2, step_seconds=1.0, slots=3, a_alone=6, b_patience=60.0)
WAITING_TARGET = 100
WORKFLOW_TASK_SLOTS = 4


@dataclass
class Sink:
    """Where steps report their start: tag -> wall-clock time."""

    starts: dict[str, float] = field(default_factory=dict)

    def __post_init__(self) -> None:
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers.get("Content-Length") or 0)) or b"{}")
                if isinstance(body, dict) and "tag" in body:
                    outer.starts.setdefault(str(body["tag"]), float(body["at"]))
                self.send_response(200)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"{}")

            def log_message(self, *_args: Any) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}/start"

    def count(self, prefix: str) -> int:
        return sum(1 for tag in list(self.starts) if tag.startswith(prefix))

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()


@dataclass
class Side:
    """What one stack measured."""

    idle: list[float]
    loaded: list[float | None]
    a_waiting: int
    a_rate: float


async def measure(stack: Stack, results: Results, sizes: Sizes) -> None:
    plan = QUICK_PLAN if results.quick else FULL_PLAN
    sides: dict[str, Side] = {}
    for mode in ("account", "off"):
        echo(f"   fairness {mode}: {plan.a_events} events of A, {plan.b_events} of B, {plan.slots} slots")
        sides[mode] = await _side(stack.workdir / f"fairness-{mode}", mode, plan)
    on, off = sides["account"], sides["off"]
    idle = max(on.idle)
    bound = max(3.0, 3 * idle)
    worst_on, worst_off = _worst(on.loaded, plan), _worst(off.loaded, plan)
    met = worst_on <= bound and (results.quick or on.a_waiting >= WAITING_TARGET)
    target = f"≤ max(3 s, 3× idle {idle:.2f} s) = {bound:.2f} s"
    target += "" if results.quick else f", A ≥ {WAITING_TARGET} waiting"
    results.add(Row(
        id="fairness.neighbour", server=stack.server, unit="s",
        figure=f"B's worst POST-to-first-step behind A's {plan.a_events}-run backlog, fairness on vs off",
        relay=round(worst_on, 2), baseline=round(worst_off, 2),
        ratio=round(worst_on / worst_off, 3) if worst_off else None,
        target=target, met=met,
        details={
            "b_idle_s": {"on": _rounded(on.idle), "off": _rounded(off.idle)},
            "b_loaded_s": {"on": _rounded(on.loaded), "off": _rounded(off.loaded)},
            "a_waiting_when_b_posted": {"on": on.a_waiting, "off": off.a_waiting},
            "slots": plan.slots, "step_s": plan.step_seconds,
        },
    ))  # fmt: skip
    share = on.a_rate / off.a_rate if off.a_rate else None
    results.add(Row(
        id="fairness.throughput", server=stack.server, unit="steps/s",
        figure="A alone: steps started per second, fairness on vs off",
        relay=round(on.a_rate, 2), baseline=round(off.a_rate, 2),
        ratio=round(share, 3) if share else None, target="≥ 0.90", met=share is not None and share >= 0.9,
        details={"ideal_steps_per_s": round(plan.slots / plan.step_seconds, 2)},
    ))  # fmt: skip


def _worst(loaded: list[float | None], plan: Plan) -> float:
    """B's worst wait; a step that never started within the patience counts as the patience."""
    return max(plan.b_patience if w is None else w for w in loaded)


def _rounded(values: list[float | None]) -> list[float | None]:
    return [None if v is None else round(v, 3) for v in values]


async def _side(workdir: Path, mode: str, plan: Plan) -> Side:
    sink = Sink()
    try:
        async with _stack(workdir, mode, plan) as (api_url, keys):
            a, b = (httpx.AsyncClient(base_url=api_url, headers={"Authorization": f"Bearer {k}"}, timeout=60)
                    for k in keys)  # fmt: skip
            async with a, b:
                for client, name in ((a, "noisy/go"), (b, "quiet/go")):
                    await _publish(client, name, sink.url, plan.step_seconds)
                idle = await _b_round(b, sink, "idle", plan)
                posted = await _post_backlog(a, sink, plan)
                # A alone, once its posting is done (the API idle): its steps started per second.
                began, before = time.time(), sink.count("a-")
                filled = await _until(lambda: sink.count("a-") >= before + plan.a_alone, plan.b_patience)
                a_rate = (sink.count("a-") - before) / (time.time() - began)
                waiting = posted - sink.count("a-")
                loaded = await _b_round(b, sink, "loaded", plan)
                if not filled:
                    echo(f"   fairness {mode}: A's steps did not fill the worker in time")
                return Side(idle=[w or 0.0 for w in idle], loaded=loaded, a_waiting=waiting, a_rate=a_rate)
    finally:
        sink.stop()


async def _until(check: Any, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while not check():
        if time.monotonic() > deadline:
            return False
        await asyncio.sleep(0.05)
    return True


async def _publish(client: httpx.AsyncClient, event: str, sink: str, seconds: float) -> None:
    definition = {
        "name": f"Fairness {event}",
        "trigger": {"event": event},
        "actions": [
            {
                "id": "work",
                "type": SLEEP,
                "data": {"seconds": seconds, "report_to": sink, "tag": "{{ event.data.tag }}"},
            }
        ],
    }
    created = (await client.post("/v1/workflows", json=definition)).raise_for_status().json()
    version = (await client.post(f"/v1/workflows/{created['id']}/versions")).raise_for_status().json()
    answer = await client.post(f"/v1/workflows/{created['id']}/publish", json={"version": version["version"]})
    answer.raise_for_status()


async def _b_round(b: httpx.AsyncClient, sink: Sink, label: str, plan: Plan) -> list[float | None]:
    """B posts its events at once; each one's wait from POST to its step's start (None: never)."""
    posted: dict[str, float] = {}

    async def one(index: int) -> None:
        tag = f"b-{label}-{index}"
        posted[tag] = time.time()
        (await b.post("/v1/events", json={"name": "quiet/go", "data": {"tag": tag}})).raise_for_status()

    await asyncio.gather(*(one(i) for i in range(plan.b_events)))
    await _until(lambda: all(tag in sink.starts for tag in posted), plan.b_patience)
    return [sink.starts[tag] - at if tag in sink.starts else None for tag, at in sorted(posted.items())]


async def _post_backlog(a: httpx.AsyncClient, sink: Sink, plan: Plan) -> int:
    gate = asyncio.Semaphore(20)

    async def one(index: int) -> None:
        async with gate:
            answer = await a.post("/v1/events", json={"name": "noisy/go", "data": {"tag": f"a-{index}"}})
            answer.raise_for_status()

    await asyncio.gather(*(one(i) for i in range(plan.a_events)))
    return plan.a_events


@asynccontextmanager
async def _stack(workdir: Path, mode: str, plan: Plan) -> AsyncIterator[tuple[str, list[str]]]:
    """A dev server (with or without fairness), ``relay api`` and the slot-limited worker;
    yields the API's URL and the keys of accounts A and B."""
    await asyncio.to_thread(workdir.mkdir, parents=True, exist_ok=True)
    config = dynamic_config_args() if mode == "account" else dynamic_config_args(THROUGHPUT)
    with output_of_children_to(workdir / "temporal.log"):
        env = await WorkflowEnvironment.start_local(
            data_converter=pydantic_data_converter,
            dev_server_existing_path=temporal_binary(),
            search_attributes=SEARCH_ATTRIBUTES,
            dev_server_log_level="error",
            dev_server_extra_args=config,
        )
    children: list[Child] = []
    settings = Settings(
        temporal_address=env.client.service_client.config.target_host,
        database_url=f"sqlite:///{workdir / 'relay.db'}",
        secrets_keys=new_key(),
        task_queue=TASK_QUEUE,
        action_modules=["bench.fig_fairness"],
        api_host="127.0.0.1",
        api_port=free_port(),
        http_allow=["127.0.0.1"],
        fairness=mode,  # type: ignore[arg-type]
    )
    engine = create_db_engine(settings.database_url)
    try:
        upgrade(engine)
        keys = [create_account(engine, name=name)[1] for name in ("A", "B")]
        variables = relay_env(settings, http_allow=",".join(settings.http_allow), fairness=settings.fairness)
        worker = await spawn(
            "fairness worker", ["-m", "bench.fig_fairness", "worker"],
            env={**variables, "BENCH_SLOTS": str(plan.slots)}, log=workdir / "worker.log",
        )  # fmt: skip
        children.append(worker)
        await wait_polling(worker, with_relay_converter(env.client, engine, settings=settings), TASK_QUEUE)
        api = await spawn("api", ["-m", "relay.cli", "api"], env=variables, log=workdir / "api.log")
        children.append(api)
        url = f"http://{settings.api_host}:{settings.api_port}"
        await wait_http(api, f"{url}/healthz")
        yield url, keys
    finally:
        for child in reversed(children):
            await child.stop()
        await env.shutdown()
        engine.dispose()


async def _serve_worker() -> None:
    """The slot-limited worker process: ``build_worker`` with BENCH_SLOTS activity slots."""
    from relay.core.settings import get_settings
    from relay.core.temporal import connect
    from worker.build import build_worker

    settings = get_settings()
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    engine = create_db_engine(settings.database_url)
    client = await connect(settings, engine=engine)
    slots = int(os.environ.get("BENCH_SLOTS", "10"))
    async with httpx.AsyncClient(timeout=30) as http:
        # Few workflow-task slots too: a backlog waits in Temporal, where it is dispatched fairly,
        # not in the worker's own buffer (docs/flow-control.md).
        async with build_worker(
            client,
            settings=settings,
            engine=engine,
            http=http,
            max_concurrent_activities=slots,
            max_concurrent_workflow_tasks=WORKFLOW_TASK_SLOTS,
        ):
            await stop.wait()
    engine.dispose()


if __name__ == "__main__" and sys.argv[1:] == ["worker"]:
    logging.basicConfig(level=logging.WARNING)
    asyncio.run(_serve_worker())
