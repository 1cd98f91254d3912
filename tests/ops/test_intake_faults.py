"""Event intake under real faults, with real ``relay api`` / ``relay worker`` processes killed by PID:

- an API killed (-9) mid-burst while a second API lives: the live one's sweeper dispatches
  every recorded event within 60 s, and no run starts twice;
- the Temporal dev server killed (-9) and restarted: events posted meanwhile answer 202
  ``pending`` at once, their runs start once it is back, and a waiting run gets its event.

Each prints its figures (recorded / dispatched / doubled / lost, time to dispatch).
"""

import asyncio
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import Engine
from sqlmodel import Session, select
from temporalio.client import Client
from temporalio.testing import WorkflowEnvironment

from relay.core.settings import Settings
from relay.core.temporal import dev_server_search_attribute_args
from relay.services import intake
from relay.services.accounts import create_account
from relay.storage.tables import Event, Run
from tests.support.api_calls import publish
from tests.support.procs import RELAY, settings_env

NOTED = {
    "name": "Noted",
    "trigger": {"event": "note/go"},
    "actions": [{"id": "wait", "type": "sleep", "data": {"duration": "1s"}}],
}
WAITER = {
    "name": "Waiter",
    "trigger": {"event": "wait/start"},
    "actions": [
        {
            "id": "go",
            "type": "wait_for_event",
            "data": {"event": "wait/go", "match": "data.k", "timeout": "10m"},
        },
        {"type": "return", "data": {"output": "{{ steps.go.output.data }}"}},
    ],
}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@asynccontextmanager
async def api_process(
    settings: Settings, temporal: str, log: Path, **extra: str
) -> AsyncIterator[tuple[int, str]]:
    """``relay api`` on a free port; yields (PID, base URL) once it answers."""
    port = _free_port()
    with log.open("ab") as out:
        proc = await asyncio.create_subprocess_exec(
            *RELAY,
            "api",
            "--port",
            str(port),
            env=settings_env(settings, temporal, **extra),
            stdout=out,
            stderr=out,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        async with httpx.AsyncClient() as probe, asyncio.timeout(30):
            while True:
                assert proc.returncode is None, f"the API exited early: see {log}"
                try:
                    await probe.get(f"{base}/healthz", timeout=5)
                    break
                except httpx.TransportError:
                    await asyncio.sleep(0.2)
        yield proc.pid, base
    finally:
        if proc.returncode is None:
            proc.send_signal(signal.SIGKILL)
        await proc.wait()


@asynccontextmanager
async def worker_process(settings: Settings, temporal: str, log: Path) -> AsyncIterator[int]:
    with log.open("ab") as out:
        proc = await asyncio.create_subprocess_exec(
            *RELAY, "worker", env=settings_env(settings, temporal), stdout=out, stderr=out
        )
    try:
        yield proc.pid
    finally:
        if proc.returncode is None:
            proc.send_signal(signal.SIGKILL)
        await proc.wait()


def _events(engine: Engine) -> list[Event]:
    with Session(engine) as session:
        return list(session.exec(select(Event)).all())


def _runs(engine: Engine, **where: Any) -> list[Run]:
    with Session(engine) as session:
        statement = select(Run)
        for name, value in where.items():
            statement = statement.where(getattr(Run, name) == value)
        return list(session.exec(statement).all())


async def _until(check: Callable[[], Awaitable[bool]], *, seconds: float, what: str) -> float:
    started = time.monotonic()
    while not await check():
        assert time.monotonic() - started < seconds, f"timed out waiting for {what}"
        await asyncio.sleep(0.25)
    return time.monotonic() - started


async def test_an_api_killed_mid_burst_loses_nothing_the_live_one_dispatches_it(
    dev_env: WorkflowEnvironment, settings: Settings, engine: Engine, tmp_path: Path
) -> None:
    _, key = create_account(engine, name="Acme")
    temporal = dev_env.client.service_client.config.target_host
    headers = {"Authorization": f"Bearer {key}"}
    log = tmp_path / "apis.log"
    async with (
        api_process(settings, temporal, log, sweep_interval="5") as (victim, victim_url),
        api_process(settings, temporal, log, sweep_interval="5") as (_, live_url),
        httpx.AsyncClient(headers=headers, timeout=30) as http,
        httpx.AsyncClient(base_url=live_url, headers=headers, timeout=30) as live,
    ):
        await publish(live, NOTED)
        gate = asyncio.Semaphore(10)
        sent = 0
        accepted: list[bool] = []

        async def post(n: int) -> None:
            nonlocal sent
            async with gate:
                sent += 1
                if sent == 40:
                    os.kill(victim, signal.SIGKILL)  # mid-burst, requests in flight
                # Before the kill to the victim; after it, the product retries on the live API.
                url = victim_url if sent <= 40 else live_url
                try:
                    answer = await http.post(f"{url}/v1/events", json={"name": "note/go", "data": {"n": n}})
                    accepted.append(answer.status_code == 202)
                except httpx.TransportError:
                    pass  # the killed API: the event may or may not have been recorded

        await asyncio.gather(*(post(n) for n in range(100)))
        recorded = await asyncio.to_thread(_events, engine)
        stuck = sum(not e.dispatched for e in recorded)

        async def all_dispatched() -> bool:
            return all(e.dispatched for e in await asyncio.to_thread(_events, engine))

        took = await _until(all_dispatched, seconds=60, what="the live API to dispatch every recorded event")
        runs = await asyncio.to_thread(_runs, engine)
        assert len(runs) == len(recorded) and not [r for r in runs if r.status == "pending"]
        executions = [
            w.id async for w in dev_env.client.list_workflows(f'TaskQueue = "{settings.task_queue}"')
        ]
        doubled = len(executions) - len(set(executions))
        lost = len(recorded) - len({r.event_id for r in runs})
        print(  # noqa: T201 (the figures of the issue's closing note)
            f"\nAPI kill -9 mid-burst: posted 100, recorded {len(recorded)}, undispatched after the burst {stuck}, "
            f"dispatched {len(recorded)}, doubled {doubled}, lost {lost}, all dispatched {took:.1f} s after the burst"
        )
        assert doubled == 0 and lost == 0 and all(accepted) and len(accepted) >= 60
        assert len({r.temporal_workflow_id for r in runs}) == len(runs)


async def test_temporal_killed_and_restarted_intake_answers_pending_and_catches_up(
    settings: Settings, engine: Engine, tmp_path: Path
) -> None:
    port, ui = _free_port(), _free_port()
    address = f"127.0.0.1:{port}"
    log = tmp_path / "procs.log"
    command = [
        str(Path(sys.executable).parent / "temporal"), "server", "start-dev", "--headless",
        "--db-filename", str(tmp_path / "temporal.db"), "--ip", "127.0.0.1", "--port", str(port),
        "--ui-port", str(ui), "--log-level", "error", *dev_server_search_attribute_args(),
    ]  # fmt: skip

    def start_temporal() -> subprocess.Popen[bytes]:
        with log.open("ab") as out:
            return subprocess.Popen(command, stdout=out, stderr=out)

    async def temporal_up() -> bool:
        try:
            await Client.connect(address)
            return True
        except RuntimeError:
            return False

    server = start_temporal()
    try:
        await _until(temporal_up, seconds=30, what="the Temporal dev server")
        _, key = create_account(engine, name="Acme")
        async with (
            api_process(settings, address, log, sweep_interval="5") as (_, url),
            worker_process(settings, address, log),
            httpx.AsyncClient(base_url=url, headers={"Authorization": f"Bearer {key}"}, timeout=30) as api,
        ):
            await publish(api, NOTED)
            await publish(api, WAITER)
            [waiter] = (await api.post("/v1/events", json={"name": "wait/start", "data": {"k": 7}})).json()[
                "runs"
            ]

            async def waiting() -> bool:
                # Its wait step has begun (a worker runs it), not only its start in Temporal.
                steps = (await api.get(f"/v1/runs/{waiter}")).json()["steps"]
                return any(step["id"] == "go" and step["status"] == "running" for step in steps)

            await _until(waiting, seconds=30, what="the waiting run to start")

            server.send_signal(signal.SIGKILL)
            server.wait()
            answers, times = [], []
            for n in range(5):
                started = time.monotonic()
                answers.append(await api.post("/v1/events", json={"name": "note/go", "data": {"n": n}}))
                times.append(time.monotonic() - started)
            started = time.monotonic()
            go = await api.post("/v1/events", json={"name": "wait/go", "data": {"k": 7}})
            times.append(time.monotonic() - started)
            assert [a.status_code for a in [*answers, go]] == [202] * 6, [a.text for a in answers]
            assert all(a.json()["pending"] for a in [*answers, go])
            # The first waits out the 2 s deadline; the rest do not try Temporal for a moment.
            assert times[0] < 2.5 and max(times[1:]) < 0.5, times

            server = start_temporal()
            back = time.monotonic()
            note_runs = [a.json()["runs"][0] for a in answers]

            async def caught_up() -> bool:
                statuses = [(await api.get(f"/v1/runs/{r}")).json()["status"] for r in note_runs]
                waiter_status = (await api.get(f"/v1/runs/{waiter}")).json()["status"]
                return all(s not in ("pending",) for s in statuses) and waiter_status == "completed"

            await _until(caught_up, seconds=60, what="the runs to start and the waiter to get its event")
            took = time.monotonic() - back
            finished = (await api.get(f"/v1/runs/{waiter}")).json()
            assert finished["output"] == {"k": 7}
            rows = await asyncio.to_thread(_events, engine)
            assert all(e.dispatched for e in rows)
            print(  # noqa: T201
                f"\nTemporal kill -9: 6 events posted while down, answered 202 pending in max {max(times):.2f} s; "
                f"all dispatched and the waiter resumed {took:.1f} s after Temporal restarted; "
                f"runs {len(await asyncio.to_thread(_runs, engine))}, lost 0"
            )
            assert not [r for r in await asyncio.to_thread(_runs, engine) if r.status == "pending"]
    finally:
        if server.poll() is None:
            server.send_signal(signal.SIGKILL)
            server.wait()


async def test_a_worker_alone_dispatches_what_a_dead_api_left(
    dev_env: WorkflowEnvironment, settings: Settings, engine: Engine, tmp_path: Path
) -> None:
    """No API alive: the worker's own sweeper hands on a recorded, undispatched event."""
    account, key = create_account(engine, name="Acme")
    temporal = dev_env.client.service_client.config.target_host
    log = tmp_path / "procs.log"
    async with api_process(settings, temporal, log) as (api_pid, url):
        async with httpx.AsyncClient(base_url=url, headers={"Authorization": f"Bearer {key}"}) as api:
            await publish(api, NOTED)
        os.kill(api_pid, signal.SIGKILL)
    # What the API had done when it died: recorded, not started.
    left = await asyncio.to_thread(
        intake.record_event, engine, account_id=account.id, name="note/go", data={"n": 1}
    )
    async with worker_process(settings, temporal, log):

        async def dispatched() -> bool:
            return all(e.dispatched for e in await asyncio.to_thread(_events, engine))

        await _until(dispatched, seconds=30, what="the worker's sweeper")
    [run] = await asyncio.to_thread(_runs, engine, event_id=left.event_id)
    assert run.status != "pending"
    await dev_env.client.get_workflow_handle(run.temporal_workflow_id).describe()
