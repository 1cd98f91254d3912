"""The pieces of ``relay dev`` that need no running stack."""

from pathlib import Path

import pytest
from temporalio.api.operatorservice.v1 import ListSearchAttributesRequest
from temporalio.testing import WorkflowEnvironment

from relay.cli.dev.processes import DevError
from relay.cli.dev.server import check_ports_free, ensure_search_attributes, temporal_command
from relay.core.settings import Settings
from relay.core.temporal import SEARCH_ATTRIBUTES


def _flag(cmd: list[str], name: str) -> str:
    return cmd[cmd.index(name) + 1]


def test_temporal_command_follows_the_settings() -> None:
    settings = Settings(
        temporal_address="127.0.0.1:7300",
        temporal_ui_url="http://127.0.0.1:9300",
        temporal_namespace="relay",
    )

    cmd = temporal_command(settings)

    assert Path(cmd[0]).name == "temporal" and cmd[1:3] == ["server", "start-dev"]
    assert _flag(cmd, "--ip") == "127.0.0.1"
    assert _flag(cmd, "--port") == "7300"
    assert _flag(cmd, "--ui-port") == "9300"
    assert _flag(cmd, "--namespace") == "relay"
    assert _flag(cmd, "--db-filename") == ".relay/temporal.db"
    registered = {cmd[i + 1].split("=")[0] for i, arg in enumerate(cmd) if arg == "--search-attribute"}
    assert registered == {key.name for key in SEARCH_ATTRIBUTES}


def test_temporal_command_defaults_to_the_documented_ports() -> None:
    cmd = temporal_command(Settings())

    assert (_flag(cmd, "--port"), _flag(cmd, "--ui-port")) == ("7233", "8233")
    assert "--namespace" not in cmd  # "default" always exists


def test_a_taken_port_is_named_before_anything_starts() -> None:
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        with pytest.raises(DevError, match=f"API port 127.0.0.1:{port} is taken"):
            check_ports_free(Settings(api_port=port))


async def test_ensure_search_attributes_is_idempotent(dev_env: WorkflowEnvironment) -> None:
    namespace = dev_env.client.namespace

    await ensure_search_attributes(dev_env.client, namespace)
    await ensure_search_attributes(dev_env.client, namespace)

    known = await dev_env.client.operator_service.list_search_attributes(
        ListSearchAttributesRequest(namespace=namespace)
    )
    assert {key.name for key in SEARCH_ATTRIBUTES} <= set(known.custom_attributes)
