"""A bulk cancel of 50 sleeping runs survives an API restart mid-job: the job is a Temporal
workflow, so killing the API (a real ``relay api`` process, kill -9 right after the 202) loses
nothing, and a new API on the same database answers for the job."""

import asyncio
import signal
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import httpx
from sqlalchemy import Engine
from sqlmodel import Session
from temporalio.testing import WorkflowEnvironment

from relay.core.settings import Settings
from relay.services.accounts import create_account
from relay.storage.jobs import Job
from tests.api.test_bulk_jobs import job_ended
from tests.support.api_calls import finished, publish
from tests.support.procs import RELAY, clean_env
from tests.support.servers import free_port
from worker.build import build_worker

SLEEPER = {
    "name": "Sleeper",
    "actions": [{"id": "nap", "type": "sleep", "data": {"duration": "1h"}}],
}


@asynccontextmanager
async def api_process(
    env: WorkflowEnvironment, settings: Settings, *, port: int, log: Path
) -> AsyncIterator[asyncio.subprocess.Process]:
    """``relay api`` on ``port``, the test's queue and database; yields it once it answers."""
    environment = clean_env(
        temporal_address=env.client.service_client.config.target_host,
        task_queue=settings.task_queue,
        database_url=settings.database_url,
        secrets_keys=",".join(settings.secrets_keys),
    )
    with log.open("ab") as out:
        proc = await asyncio.create_subprocess_exec(
            *RELAY, "api", "--port", str(port), env=environment, stdout=out, stderr=out
        )
    try:
        async with asyncio.timeout(30), httpx.AsyncClient() as probe:
            while True:
                assert proc.returncode is None, f"the API exited early: see {log}"
                try:
                    if (await probe.get(f"http://127.0.0.1:{port}/healthz")).status_code < 500:
                        break
                except httpx.TransportError:
                    pass
                await asyncio.sleep(0.2)
        yield proc
    finally:
        if proc.returncode is None:
            proc.send_signal(signal.SIGKILL)
        await proc.wait()


async def test_a_bulk_cancel_survives_an_api_restart_mid_job(
    dev_env: WorkflowEnvironment, settings: Settings, engine: Engine, http: httpx.AsyncClient, tmp_path: Path
) -> None:
    key = create_account(engine, name="Acme")[1]
    port = free_port()
    log = tmp_path / "api.log"
    base = f"http://127.0.0.1:{port}"
    headers = {"Authorization": f"Bearer {key}"}
    async with build_worker(dev_env.client, settings=settings, engine=engine, http=http):
        async with api_process(dev_env, settings, port=port, log=log) as first:
            async with httpx.AsyncClient(base_url=base, headers=headers, timeout=30) as api:
                workflow_id = await publish(api, SLEEPER)
                runs = [
                    (await api.post(f"/v1/workflows/{workflow_id}/runs")).json()["run_id"] for _ in range(50)
                ]
                answer = await api.post(
                    "/v1/runs/bulk", json={"action": "cancel", "filter": {"workflow_id": workflow_id}}
                )
                assert answer.status_code == 202, answer.text
                first.send_signal(signal.SIGKILL)  # right after the 202
                await first.wait()
        job_id = answer.json()["job_id"]
        # The job needs at least two 0.5 s pauses between its three batches: it was mid-way.
        with Session(engine) as session:
            at_kill = session.get(Job, job_id)
            assert at_kill is not None and at_kill.status == "running" and at_kill.done < 50

        async with (
            api_process(dev_env, settings, port=port, log=log),
            httpx.AsyncClient(base_url=base, headers=headers, timeout=30) as api,
        ):
            job = await job_ended(api, job_id)
            assert (job["total"], job["done"], job["failed"], job["status"]) == (50, 50, 0, "completed")
            statuses = {(await finished(api, run_id))["status"] for run_id in runs}
            assert statuses == {"cancelled"}
