"""``RELAY_ACCOUNT_MAX_ACTIVE_RUNS`` caps an account's active runs across its workflows; limits
belong to the workflow, not the version: republishing does not reset a key's count."""

from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import Engine
from temporalio.testing import WorkflowEnvironment

from api.app import create_app
from relay.core.settings import Settings
from relay.services.accounts import create_account
from tests.flow.flows import hitting, post, publish, until_ended
from tests.flow.procs import FlowWorker, worker
from tests.flow.sink import Sink, max_overlap
from tests.support.stack import api_client


@pytest.fixture
async def capped(
    dev_env: WorkflowEnvironment, flow_settings: Settings, engine: Engine
) -> AsyncIterator[tuple[httpx.AsyncClient, Settings]]:
    settings = flow_settings.model_copy(update={"account_max_active_runs": 2})
    app = create_app(settings, engine=engine, temporal_client=dev_env.client)
    _, key = create_account(engine, name="Capped")
    async with app.router.lifespan_context(app), api_client(app, key) as client:
        yield client, settings


async def test_the_account_cap_holds_across_workflows(
    dev_env: WorkflowEnvironment, capped: tuple[httpx.AsyncClient, Settings], sink: Sink, worker_log: Path
) -> None:
    api, settings = capped
    first = await publish(api, hitting(sink.url, "cap/one"))
    second = await publish(api, hitting(sink.url, "cap/two"))
    async with worker(dev_env, settings, worker_log, account_max_active_runs="2"):
        for n in range(3):
            await post(api, "cap/one", {"k": "one", "n": n})
            await post(api, "cap/two", {"k": "two", "n": n})
        ended = {**await until_ended(api, first, 3), **await until_ended(api, second, 3)}
    assert list(ended.values()) == ["completed"] * 6, ended
    calls = sink.finished()
    assert len(calls) == 6
    assert max_overlap(calls) == 2


async def test_republishing_does_not_reset_a_keys_count(
    api: httpx.AsyncClient, sink: Sink, flow_worker: FlowWorker
) -> None:
    definition = hitting(sink.url, "job/versions", concurrency={"limit": 1, "key": "event.data.k"})
    workflow_id = await publish(api, definition)
    async with flow_worker():
        await post(api, "job/versions", {"k": "a", "n": 0})
        await post(api, "job/versions", {"k": "a", "n": 1})
        # Version 2, published while version 1's runs hold and wait for the key's one slot.
        changed = {**definition, "description": "v2"}
        assert (await api.put(f"/v1/workflows/{workflow_id}", json=changed)).status_code == 200
        version = (await api.post(f"/v1/workflows/{workflow_id}/versions")).json()["version"]
        live = await api.post(f"/v1/workflows/{workflow_id}/publish", json={"version": version})
        assert live.status_code == 200, live.text
        await post(api, "job/versions", {"k": "a", "n": 2})
        ended = await until_ended(api, workflow_id, 3)
    assert set(ended.values()) == {"completed"}
    assert max_overlap(sink.finished()) == 1
