"""The OpenAPI document describes the API exactly (SPEC §10): schemathesis, all checks, against
a live ``relay api`` process (real HTTP, a real SQLite database, the session's Temporal dev
server, no worker), authenticated with a real key. It must find no 5xx, no status the document
does not list, no response off its schema and no schema-valid request rejected.

A 422 for schema-valid input is accepted only from the operations that declare their input is
checked beyond the schema (``x-relay-checked-beyond-schema``, see ``api.openapi``).
Bounded: ``SCHEMATHESIS_EXAMPLES`` cases per operation (about two minutes here)."""

import asyncio
import json
import logging
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from temporalio.testing import WorkflowEnvironment

from api.openapi import BEYOND_SCHEMA
from relay.core.settings import Settings
from tests.support.live_api import LiveApi, live_api
from tests.support.workers import worker_process

log = logging.getLogger(__name__)
EXAMPLES = int(os.environ.get("SCHEMATHESIS_EXAMPLES", "40"))
SEED = os.environ.get("SCHEMATHESIS_SEED", "20261129")
# schemathesis' defaults for positive_data_acceptance, plus 422 where the document says so.
ACCEPTED = ["2xx", "3xx", "401", "403", "404", "409", "429", "5xx"]


@pytest.fixture
def api(dev_env: WorkflowEnvironment, tmp_path: Path) -> Iterator[LiveApi]:
    with live_api(dev_env, tmp_path, accounts=("Contract",)) as running:
        yield running


def _seed(url: str, key: str) -> dict[str, list[Any]]:
    """Real resources, so half the generated path ids name something that exists and the
    answers of reads and writes on it are checked too (not only 404s)."""
    with httpx.Client(base_url=url, headers={"Authorization": f"Bearer {key}"}, timeout=30) as api:

        def ok(answer: httpx.Response) -> dict[str, Any]:
            assert answer.status_code < 300, answer.text
            return answer.json() if answer.content else {}

        step = {"type": "log", "data": {"message": "hello {{ event.data.who }}"}}
        workflow = ok(api.post("/v1/workflows", json={"name": "Contract", "trigger": {"event": "contract/go"},
                                                      "actions": [step]}))["id"]  # fmt: skip
        version = ok(api.post(f"/v1/workflows/{workflow}/versions"))["version"]
        ok(api.post(f"/v1/workflows/{workflow}/publish", json={"version": version}))
        event = ok(
            api.post("/v1/events", json={"name": "contract/go", "id": "contract-1", "data": {"who": "x"}})
        )
        schedule = ok(api.post(f"/v1/workflows/{workflow}/schedules", json={"cron": "0 9 * * 1"}))["id"]
        ok(api.put("/v1/secrets/contract_1", json={"value": "s3cret"}))
        ok(api.put("/v1/email-templates/contract_1", json={"subject": "Hi", "text": "Hello"}))
    return {
        "workflow_id": [workflow],
        "version": [version],
        "event_id": [event["event_id"], "contract-1"],
        "run_id": event["runs"],
        "schedule_id": [schedule],
        "name": ["contract_1"],
    }


def _config(document: dict[str, Any], seeds: dict[str, list[Any]] | None = None) -> str:
    """schemathesis.toml: the seeded ids, used for half the path parameters of their name, and
    the operations whose 422 is documented as a check beyond the schema."""
    blocks = []
    if seeds:  # a top-level key: before any [table]
        bindings = ", ".join(f'"path.{n}" = {{ dictionary = "{n}", probability = 0.5 }}' for n in seeds)
        blocks.append(f"parameters = {{ {bindings} }}\n")
    for name, values in (seeds or {}).items():
        blocks.append(f"[dictionaries.{name}]\nvalues = {json.dumps(values)}\n")
    for path, item in document["paths"].items():
        for method, operation in item.items():
            if operation.get("responses", {}).get("422", {}).get(BEYOND_SCHEMA):
                blocks.append(
                    "[[operations]]\n"
                    f'include-path = "{path}"\n'
                    f'include-method = "{method.upper()}"\n'
                    f"checks.positive_data_acceptance.expected-statuses = {[*ACCEPTED, '422']!r}\n"
                )
    return "\n".join(blocks).replace("'", '"')


async def test_schemathesis_finds_no_contract_violation(
    api: LiveApi, dev_env: WorkflowEnvironment, tmp_path: Path
) -> None:
    url, key = api.url, api.keys[0]
    async with httpx.AsyncClient(timeout=30) as http:
        document = (await http.get(f"{url}/openapi.json")).json()
    config = tmp_path / "schemathesis.toml"
    # A worker, so the seeded run (and those schemathesis starts) end and read as they would.
    worker_settings = Settings(**{k: v for k, v in api.settings.items() if not k.startswith("api_")})
    async with worker_process(dev_env, worker_settings, tmp_path / "worker.log"):
        config.write_text(_config(document, await asyncio.to_thread(_seed, url, key)))
        await _run(url, key, config, tmp_path)


async def _run(url: str, key: str, config: Path, tmp_path: Path) -> None:
    schemathesis = Path(sys.executable).parent / "schemathesis"
    command = [
        str(schemathesis), "--config-file", str(config), "run", f"{url}/openapi.json",
        "--checks", "all",
        "--header", f"Authorization: Bearer {key}",
        "--max-examples", str(EXAMPLES),
        "--seed", SEED,
        "--request-timeout", "30",
        "--max-response-time", "30",  # a loaded CI machine, not the API, sets the pace
        "--no-color",
    ]  # fmt: skip
    result = await asyncio.to_thread(
        subprocess.run, command, capture_output=True, text=True, timeout=900, cwd=tmp_path
    )
    output = result.stdout + result.stderr
    summary = [line for line in output.splitlines() if re.match(r"^=+ .* in [\d.]+s =+$", line)]
    (tmp_path / "schemathesis.txt").write_text(output)
    cases = [line.strip() for line in output.splitlines() if re.match(r"^\s*\d+ generated", line)]
    log.warning("schemathesis: %s %s", cases, summary[-1] if summary else output[-2000:])
    assert result.returncode == 0, output[-20000:]
    assert summary and "failure" not in summary[-1] and "error" not in summary[-1], output[-20000:]


def test_every_operation_lists_what_the_app_answers(tmp_path: Path) -> None:
    """The general pass, without a server: statuses by trait, one error body, URL patterns."""
    from api.app import create_app
    from relay.core.settings import Settings

    document = create_app(Settings(database_url=f"sqlite:///{tmp_path / 'r.db'}")).openapi()
    operations = [(p, m, op) for p, item in document["paths"].items() for m, op in item.items()]
    assert len(operations) > 30
    for path, method, operation in operations:
        codes = set(operation["responses"])
        assert {"400", "413", "422", "503"} <= codes, (method, path)
        if "{" in path:
            assert "404" in codes, (method, path)
        if operation.get("security"):
            assert "401" in codes, (method, path)
        for code, response in operation["responses"].items():
            if code[0] in "45":
                assert response["content"]["application/json"]["schema"], (method, path, code)
        for parameter in operation.get("parameters", []):
            schema = parameter["schema"]
            branches = [schema, *schema.get("anyOf", [])]
            if any(b.get("type") == "string" and "enum" not in b and "format" not in b for b in branches):
                assert any("pattern" in b for b in branches), (method, path, parameter["name"])
    events = document["paths"]["/v1/events"]["get"]
    limit = next(p for p in events["parameters"] if p["name"] == "limit")
    assert limit["schema"]["maximum"] == 200 and limit["schema"]["minimum"] == 1
    assert "links" in document["paths"]["/v1/workflows"]["post"]["responses"]["201"]


async def test_a_wrong_method_answers_405_listing_every_method(tmp_path: Path) -> None:
    from api.app import create_app
    from relay.core.settings import Settings

    app = create_app(Settings(database_url=f"sqlite:///{tmp_path / 'r.db'}"))
    # No lifespan needed: routing answers before any dependency runs.
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as client:
        answer = await client.post("/v1/secrets/X")
    assert answer.status_code == 405
    assert set(answer.headers["allow"].split(", ")) == {"GET", "PUT", "DELETE"}
