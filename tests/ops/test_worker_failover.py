"""Failover within seconds (SPEC §10, issue 12): kill -9 of the worker running a long step,
and the step starts again on a second worker within 15 s, because every action heartbeats
and is scheduled with a short heartbeat timeout. Real Temporal, real worker processes."""

import asyncio
import os
import signal
import time
from pathlib import Path
from typing import Any

from sqlalchemy import Engine
from temporalio.testing import WorkflowEnvironment

from api.app import create_app
from relay.core.settings import Settings
from relay.services.accounts import create_account
from tests.support.api_calls import finished, publish
from tests.support.servers import HttpServer
from tests.support.stack import api_client
from tests.support.workers import worker_process

FAILOVER_LIMIT = 15.0


def _napper(report_to: str) -> dict[str, Any]:
    return {
        "name": "Long napper",
        "trigger": {"event": "nap/long"},
        "actions": [{"id": "nap", "type": "test_long_nap", "data": {"report_to": report_to, "seconds": 30}}],
    }


async def _attempt(sink: HttpServer, number: int, *, seconds: float) -> dict[str, Any]:
    """The report of attempt ``number`` at the sink, once it arrives."""
    async with asyncio.timeout(seconds):
        while True:
            for request in list(sink.requests):
                report = request.json()
                if report["attempt"] == number:
                    return dict(report)
            await asyncio.sleep(0.05)


async def test_a_killed_workers_step_starts_again_on_another_worker_within_seconds(
    dev_env: WorkflowEnvironment, settings: Settings, engine: Engine, tmp_path: Path, http_server: HttpServer
) -> None:
    settings = settings.model_copy(update={"action_modules": ["tests.ops.slow_actions"]})
    app = create_app(settings, engine=engine, temporal_client=dev_env.client)
    log = tmp_path / "workers.log"
    async with (
        app.router.lifespan_context(app),
        api_client(app, create_account(engine, name="Acme")[1]) as api,
        worker_process(dev_env, settings, log) as one,
        worker_process(dev_env, settings, log, wait_for_pollers=False) as two,
    ):
        await publish(api, _napper(http_server.url))
        answer = await api.post("/v1/events", json={"name": "nap/long", "data": {}})
        assert answer.status_code == 202, answer.text
        [run_id] = answer.json()["runs"]

        first = await _attempt(http_server, 1, seconds=30)
        assert first["pid"] in (one, two)
        os.kill(first["pid"], signal.SIGKILL)
        killed_at = time.time()

        second = await _attempt(http_server, 2, seconds=40)
        failover = second["at"] - killed_at
        print(f"failover: attempt 2 started {failover:.1f}s after kill -9 of the worker")  # noqa: T201
        assert second["pid"] == ({one, two} - {first["pid"]}).pop()
        assert failover <= FAILOVER_LIMIT, f"attempt 2 started {failover:.1f}s after the kill"

        # The second attempt sleeps 30 s too, beyond the 10 s heartbeat timeout: the runtime's
        # heartbeats keep a slow but healthy attempt alive, so it is not retried a third time.
        run = await finished(api, run_id, seconds=60)
    assert run["status"] == "completed", run
    [step] = run["steps"]
    assert (step["id"], step["status"], step["attempts"]) == ("nap", "completed", 2)
    assert step["output"]["pid"] == second["pid"]
    assert [r.json()["attempt"] for r in http_server.requests] == [1, 2]
