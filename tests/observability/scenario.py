"""One failed run through a real ``relay api`` and ``relay worker`` process, with JSON logs,
both metrics endpoints and OTLP traces on: what the tests of this folder read.

The run's first step calls a local server that answers 200; its second sends a secret in a
header to one that answers 404 with the secret echoed in the body: a classified, permanent
failure whose message would leak the secret if anything forgot to redact it.
"""

import asyncio
import json
import time
import uuid
from asyncio.subprocess import Process
from collections.abc import Callable
from contextlib import AbstractAsyncContextManager, AsyncExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest
from opentelemetry.proto.trace.v1.trace_pb2 import Span
from temporalio.testing import WorkflowEnvironment

from relay.services.accounts import create_account
from relay.storage import create_db_engine, upgrade
from relay.storage.secrets import new_key
from tests.support.api_calls import finished, publish
from tests.support.procs import clean_env, relay_process
from tests.support.servers import HttpServer, ReceivedRequest, Reply, free_port
from tests.support.temporal import has_pollers
from tests.support.workers import REPO

SECRET = f"sk-live-{uuid.uuid4().hex}"
EVENT = "crm/lead.created"


@dataclass
class Observed:
    account_id: str
    api_key: str
    workflow_id: str
    event_id: str
    run_id: str
    run: dict[str, Any]
    api_log: list[str]
    worker_log: list[str]
    api_metrics: str
    worker_metrics: str
    spans: list[Span] = field(default_factory=list)
    # Each span's service (the resource's service.name), by span id.
    services: dict[bytes, str] = field(default_factory=dict)
    otlp_bodies: list[bytes] = field(default_factory=list)

    @property
    def ids(self) -> set[str]:
        return {self.account_id, self.workflow_id, self.event_id, self.run_id}


def definition(url: str) -> dict[str, Any]:
    return {
        "name": "Lead to CRM",
        "trigger": {"event": EVENT},
        "actions": [
            {"id": "lookup", "type": "http_request", "data": {"url": f"{url}/lookup"}},
            {
                "id": "notify",
                "type": "http_request",
                "data": {
                    "method": "POST",
                    "url": f"{url}/crm",
                    "headers": {"Authorization": "Bearer {{ secrets.CRM_TOKEN }}"},
                    "json": {"email": "{{ event.data.email }}"},
                },
            },
        ],
    }


def _crm(request: ReceivedRequest) -> Reply:
    if request.path == "/lookup":
        return Reply(200, {"found": True})
    # The CRM echoes the token it refuses: the message must reach no log line, metric or span.
    token = request.headers.get("authorization", "").removeprefix("Bearer ")
    return Reply(404, {"error": f"no lead list for token {token}"})


def _otlp(_request: ReceivedRequest) -> Reply:
    return Reply(
        200, ExportTraceServiceRequest().SerializeToString(), {"Content-Type": "application/x-protobuf"}
    )


async def _until(check: Callable[[], Any], *, seconds: float, what: str) -> Any:
    deadline = time.monotonic() + seconds
    while True:
        found = check()
        if asyncio.iscoroutine(found):
            found = await found
        if found:
            return found
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        await asyncio.sleep(0.25)


def _process(args: list[str], env: dict[str, str], log: Path) -> AbstractAsyncContextManager[Process]:
    """``relay *args`` from the repository; stopped with SIGTERM (so spans are flushed), SIGKILL if it hangs."""
    return relay_process(args, env, log, cwd=REPO, stop_timeout=20)


def _spans(bodies: list[bytes]) -> tuple[list[Span], dict[bytes, str]]:
    spans: list[Span] = []
    services: dict[bytes, str] = {}
    for body in bodies:
        export = ExportTraceServiceRequest.FromString(body)
        for resource_spans in export.resource_spans:
            attributes = {a.key: a.value.string_value for a in resource_spans.resource.attributes}
            for scope in resource_spans.scope_spans:
                for span in scope.spans:
                    spans.append(span)
                    services[span.span_id] = attributes.get("service.name", "")
    return spans, services


def _lines(path: Path) -> list[str]:
    return [line for line in path.read_text(errors="replace").splitlines() if line.strip()]


def _has_run_end(path: Path) -> bool:
    for line in _lines(path):
        try:
            if json.loads(line).get("event") == "run ended":
                return True
        except ValueError:
            continue
    return False


async def observe_failed_run(env: WorkflowEnvironment, tmp: Path) -> Observed:
    database_url = f"sqlite:///{tmp / 'relay.db'}"
    engine = create_db_engine(database_url)
    upgrade(engine)
    account, key = create_account(engine, name="Observed")
    engine.dispose()
    api_port, metrics_port = free_port(), free_port()
    api_log, worker_log = tmp / "api.log", tmp / "worker.log"
    async with AsyncExitStack() as stack:
        crm = HttpServer(_crm).start()
        stack.callback(crm.stop)
        collector = HttpServer(_otlp).start()
        stack.callback(collector.stop)
        environment = clean_env(
            temporal_address=env.client.service_client.config.target_host,
            task_queue=f"relay-obs-{uuid.uuid4()}",
            database_url=database_url,
            secrets_keys=new_key(),
            log_format="json",
            worker_metrics_port=str(metrics_port),
            http_allow="127.0.0.1",
        )
        environment.update(
            OTEL_EXPORTER_OTLP_ENDPOINT=collector.url,
            OTEL_BSP_SCHEDULE_DELAY="200",  # ms: spans reach the collector while the test waits
            PYTHONPATH=str(REPO),
        )
        worker = await stack.enter_async_context(_process(["worker"], environment, worker_log))
        api_proc = await stack.enter_async_context(
            _process(["api", "--port", str(api_port)], environment, api_log)
        )
        queue = environment["RELAY_TASK_QUEUE"]

        async def worker_polls() -> bool:
            assert worker.returncode is None, f"the worker exited: {worker_log.read_text()}"
            return await has_pollers(env, queue)

        await _until(worker_polls, seconds=60, what="the worker to poll")
        base = f"http://127.0.0.1:{api_port}"
        api = await stack.enter_async_context(
            httpx.AsyncClient(base_url=base, headers={"Authorization": f"Bearer {key}"}, timeout=30)
        )

        async def api_answers() -> bool:
            assert api_proc.returncode is None, f"the API exited: {api_log.read_text()}"
            try:
                return (await api.get("/healthz")).status_code == 200
            except httpx.TransportError:
                return False

        await _until(api_answers, seconds=60, what="the API to answer")
        assert (await api.put("/v1/secrets/CRM_TOKEN", json={"value": SECRET})).status_code < 300
        workflow_id = await publish(api, definition(crm.url))
        answer = await api.post("/v1/events", json={"name": EVENT, "data": {"email": "ada@example.com"}})
        assert answer.status_code == 202, answer.text
        event_id, [run_id] = answer.json()["event_id"], answer.json()["runs"]
        run = await finished(api, run_id, seconds=90)
        await _until(lambda: _has_run_end(worker_log), seconds=30, what="the run's end line")
        api_metrics = (await httpx.AsyncClient().get(f"{base}/metrics")).text
        worker_metrics = (await httpx.AsyncClient().get(f"http://127.0.0.1:{metrics_port}/metrics")).text

        def traced() -> bool:
            spans, _ = _spans([r.body for r in collector.requests if r.path == "/v1/traces"])
            names = {s.name for s in spans}
            return {"POST /v1/events", "RunWorkflow:RelayRun"} <= names and sum(
                n.startswith("RunActivity:http_request") for n in names
            ) >= 1

        await _until(traced, seconds=60, what="the spans of the run")
        await stack.aclose()  # SIGTERM: the processes flush what they still hold
        bodies = [r.body for r in collector.requests if r.path == "/v1/traces"]
    spans, services = _spans(bodies)
    return Observed(
        account_id=account.id,
        api_key=key,
        workflow_id=workflow_id,
        event_id=event_id,
        run_id=run_id,
        run=run,
        api_log=_lines(api_log),
        worker_log=_lines(worker_log),
        api_metrics=api_metrics,
        worker_metrics=worker_metrics,
        spans=spans,
        services=services,
        otlp_bodies=bodies,
    )
