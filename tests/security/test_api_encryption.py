"""The product's path with encryption on: a run started and read through the HTTP API."""

import uuid
from collections.abc import AsyncIterator

import httpx
import pytest
from sqlalchemy import Engine
from temporalio.testing import WorkflowEnvironment

from relay.core.codec import ENCODING
from relay.core.settings import Settings
from tests.security.conftest import payloads_in
from tests.support.api_calls import finished, publish
from tests.support.stack import relay_stack

FLOW = {"name": "Via API", "actions": [
    {"id": "seal", "type": "security_seal", "data": {"value": "{{ input.note }}"}}]}  # fmt: skip


@pytest.fixture
async def api(
    secure_settings: Settings, engine: Engine, dev_env: WorkflowEnvironment
) -> AsyncIterator[httpx.AsyncClient]:
    async with relay_stack(
        dev_env.client, settings=secure_settings, engine=engine, accounts=("Acme secure",)
    ) as (client,):
        yield client


async def test_a_run_through_the_api_is_encrypted_and_reads_back(
    api: httpx.AsyncClient, dev_env: WorkflowEnvironment
) -> None:
    client = api
    note = f"api-note-{uuid.uuid4().hex}"
    workflow_id = await publish(client, FLOW)

    started = await client.post(f"/v1/workflows/{workflow_id}/runs", json={"input": {"note": note}})

    assert started.status_code == 202, started.text
    run = await finished(client, started.json()["run_id"])
    assert run["status"] == "completed", run
    assert {s["id"]: s["output"] for s in run["steps"]}["seal"]["value"].startswith("sealed-")
    history = await dev_env.client.get_workflow_handle(run["temporal_workflow_id"]).fetch_history()
    raw = b"".join(event.SerializeToString() for event in history.events)
    assert note.encode() not in raw
    assert all(p.metadata["encoding"] == ENCODING for e in history.events for _, p in payloads_in(e))
