"""One tenant's expressions cannot slow another's: real ``relay api`` and ``relay worker``
processes (uvicorn, the sandboxed worker) on the session's Temporal dev server.

- A ``trigger.if`` with a catastrophic regex, or over the intake budget: the event answers
  at once, no run starts, the reason is recorded on the event; another account's
  ``POST /v1/events`` meanwhile answers as fast as when alone.
- The same in a ``branch.if``: the run over budget fails naming the expression, the regex
  one completes (RE2 is linear), and another account's run on the same worker is not delayed.

Timings are compared with the same requests or runs alone, with generous margins (a shared,
loaded machine); each test prints its figures.
"""

import asyncio
import statistics
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import Engine
from temporalio.testing import WorkflowEnvironment

from relay.core.settings import Settings
from relay.services.accounts import create_account
from tests.support.api_calls import finished, publish
from tests.support.procs import relay_process, settings_env
from tests.support.servers import free_port

EVIL_REGEX = "$match(event.data.s, /(a+)+$/)"
EVIL_TEXT = "a" * 30_000 + "!"
# Statically fine (small ranges), but a million steps when it runs: over any budget.
OVER_BUDGET = "$count([1..1000].([1..1000].($ * 2))) > 0"
LOG = {"type": "log", "data": {"message": "hello {{ event.data.n }}"}}


@asynccontextmanager
async def relay_processes(
    settings: Settings, dev_env: WorkflowEnvironment, tmp_path: Path, *, worker: bool
) -> AsyncIterator[str]:
    """``relay api`` (and ``relay worker``) as processes; yields the API's base URL."""
    temporal = dev_env.client.service_client.config.target_host
    env = settings_env(settings, temporal)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    async with relay_process(["api", "--port", str(port)], env, tmp_path / "api.log") as api:
        async with httpx.AsyncClient() as probe, asyncio.timeout(60):
            while True:
                assert api.returncode is None, (tmp_path / "api.log").read_text()
                try:
                    if (await probe.get(f"{base}/healthz", timeout=5)).status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                await asyncio.sleep(0.2)
        if not worker:
            yield base
            return
        async with relay_process(["worker"], env, tmp_path / "worker.log"):
            yield base


def _client(base: str, key: str) -> httpx.AsyncClient:
    return httpx.AsyncClient(base_url=base, headers={"Authorization": f"Bearer {key}"}, timeout=60)


async def _timed_posts(api: httpx.AsyncClient, name: str, count: int) -> list[float]:
    took = []
    for n in range(count):
        started = time.perf_counter()
        answer = await api.post("/v1/events", json={"name": name, "data": {"n": n}})
        took.append(time.perf_counter() - started)
        assert answer.status_code == 202, answer.text
    return took


def _ms(values: list[float]) -> str:
    return f"median {statistics.median(values) * 1000:.0f} ms, max {max(values) * 1000:.0f} ms"


async def test_a_costly_trigger_condition_holds_up_no_other_account(
    dev_env: WorkflowEnvironment, settings: Settings, engine: Engine, tmp_path: Path
) -> None:
    _, acme_key = create_account(engine, name="Acme")
    _, globex_key = create_account(engine, name="Globex")
    async with relay_processes(settings, dev_env, tmp_path, worker=False) as base:
        async with _client(base, acme_key) as acme, _client(base, globex_key) as globex:
            regex = await publish(
                acme, {"name": "Regex", "trigger": {"event": "evil/go", "if": EVIL_REGEX}, "actions": [LOG]}
            )
            costly = await publish(
                acme, {"name": "Costly", "trigger": {"event": "evil/go", "if": OVER_BUDGET}, "actions": [LOG]}
            )
            # The control: conditions as cheap as they come, on events of the same size.
            await publish(
                acme,
                {
                    "name": "Cheap",
                    "trigger": {"event": "cheap/go", "if": "event.data.n >= 0"},
                    "actions": [LOG],
                },
            )
            await publish(globex, {"name": "Plain", "trigger": {"event": "plain/go"}, "actions": [LOG]})
            await _timed_posts(globex, "plain/go", 3)  # warm up
            alone = await _timed_posts(globex, "plain/go", 20)

            async def beside(name: str) -> tuple[list[float], list[float], list[dict[str, Any]]]:
                """Another account's 20 posts while Acme posts 20 ``name`` events, 4 at a time."""
                took: list[float] = []
                answers: list[dict[str, Any]] = []

                async def post(n: int) -> None:
                    started = time.perf_counter()
                    answer = await acme.post(
                        "/v1/events", json={"name": name, "data": {"s": EVIL_TEXT, "n": n}}
                    )
                    took.append(time.perf_counter() - started)
                    assert answer.status_code == 202, answer.text
                    answers.append(answer.json())

                async def stream() -> None:
                    for round_ in range(5):
                        await asyncio.gather(*(post(round_ * 4 + i) for i in range(4)))

                posting = asyncio.create_task(stream())
                await asyncio.sleep(0.05)
                other = await _timed_posts(globex, "plain/go", 20)
                await posting
                return took, other, answers

            _, control, _ = await beside("cheap/go")
            evil_took, meanwhile, evil_answers = await beside("evil/go")
            detail = (await acme.get(f"/v1/events/{evil_answers[0]['event_id']}")).json()

    print(  # noqa: T201 (the issue's closing note wants these figures)
        f"\ntrigger.if: {len(evil_took)} costly events answered in {_ms(evil_took)}; other account's "
        f"POST /v1/events alone {_ms(alone)}, beside cheap events {_ms(control)}, beside costly ones {_ms(meanwhile)}"
    )
    for answer in evil_answers:
        assert answer["runs"] == []
        [skipped] = answer["skipped"]
        assert skipped["workflow_id"] == costly and "over its budget" in skipped["reason"]
        assert "$count([1..1000]" in skipped["reason"]
    assert [s["workflow_id"] for s in detail["skipped"]] == [costly]  # recorded with the event
    assert regex not in str(detail["skipped"])  # the regex ran (linear): it just did not match
    assert max(evil_took) < 5, "an event whose conditions are over budget still answers at once"
    # Another account is not held up: within 100 ms, or on a loaded machine no slower than
    # beside as many cheap events (generous).
    assert statistics.median(meanwhile) < max(0.1, 2 * statistics.median(control) + 0.05), _ms(meanwhile)


async def test_a_costly_branch_condition_fails_its_step_and_delays_no_other_run(
    dev_env: WorkflowEnvironment, settings: Settings, engine: Engine, tmp_path: Path
) -> None:
    _, acme_key = create_account(engine, name="Acme")
    _, globex_key = create_account(engine, name="Globex")

    def branch(name: str, condition: str) -> dict[str, Any]:
        step = {"id": "pick", "type": "branch", "data": {"if": condition, "then": [LOG], "else": [LOG]}}
        return {"name": name, "trigger": {"event": f"{name.lower()}/go"}, "actions": [step]}

    steps = [{**LOG, "id": f"s{i}"} for i in range(5)]
    async with relay_processes(settings, dev_env, tmp_path, worker=True) as base:
        async with _client(base, acme_key) as acme, _client(base, globex_key) as globex:
            await publish(acme, branch("Costly", OVER_BUDGET))
            await publish(acme, branch("Regex", EVIL_REGEX))
            await publish(acme, branch("Cheap", "event.data.n > 1"))
            await publish(globex, {"name": "Plain", "trigger": {"event": "plain/go"}, "actions": steps})

            async def run(
                api: httpx.AsyncClient, name: str, data: dict[str, Any]
            ) -> tuple[dict[str, Any], float]:
                started = time.perf_counter()
                answer = (await api.post("/v1/events", json={"name": name, "data": data})).json()
                [run_id] = answer["runs"]
                done = await finished(api, run_id, seconds=120)
                return done, time.perf_counter() - started

            await run(globex, "plain/go", {"n": 0})  # warm up: workflow cache, first task
            alone = [(await run(globex, "plain/go", {"n": n}))[1] for n in range(3)]

            # The control: the same load of runs, with cheap conditions.
            cheap = [run(acme, "cheap/go", {"n": n}) for n in range(6)]
            plain = [run(globex, "plain/go", {"n": n}) for n in range(3)]
            control = [took for _, took in (await asyncio.gather(*cheap, *plain))[6:]]

            costly = [run(acme, "costly/go", {"n": n}) for n in range(4)]
            regex = [run(acme, "regex/go", {"s": EVIL_TEXT, "n": n}) for n in range(2)]
            plain = [run(globex, "plain/go", {"n": n}) for n in range(3)]
            results = await asyncio.gather(*costly, *regex, *plain)

    costly_runs, regex_runs, plain_runs = results[:4], results[4:6], results[6:]
    meanwhile = [took for _, took in plain_runs]
    print(  # noqa: T201
        f"\nbranch.if: costly runs failed in {_ms([t for _, t in costly_runs])}; other account's 5-step "
        f"run alone {_ms(alone)}, beside 6 cheap runs {_ms(control)}, beside 6 costly ones {_ms(meanwhile)}"
    )
    for done, _ in costly_runs:
        assert done["status"] == "failed", done
        assert "$count([1..1000]" in done["error"] and "over its budget" in done["error"], done["error"]
    for done, _ in regex_runs:
        assert done["status"] == "completed", done  # linear-time regex: no match, the else arm ran
    assert all(done["status"] == "completed" for done, _ in plain_runs)
    # Not delayed beyond what as many cheap runs cause: generous, as runs vary on a loaded machine.
    assert statistics.median(meanwhile) < 2 * statistics.median(control) + 2, _ms(meanwhile)
