"""The SDK's environment configuration (``TEMPORAL_*``) where ``RELAY_TEMPORAL_*`` is unset."""

from pathlib import Path

import pytest
from temporalio.client import TLSConfig
from temporalio.testing import WorkflowEnvironment

from relay.core.settings import Settings
from relay.core.temporal import _tls, connect
from tests.support.servers import free_port


def test_temporal_variables_fill_what_relay_leaves_unset(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TEMPORAL_ADDRESS", "acme.a1b2c.tmprl.cloud:7233")
    monkeypatch.setenv("TEMPORAL_NAMESPACE", "acme.a1b2c")
    monkeypatch.setenv("TEMPORAL_API_KEY", "cloud-key")

    settings = Settings()

    assert settings.temporal_address == "acme.a1b2c.tmprl.cloud:7233"
    assert settings.temporal_namespace == "acme.a1b2c"
    assert settings.temporal_api_key == "cloud-key"
    assert _tls(settings) is not False, "an API key travels over TLS"


def test_relay_variables_win(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TEMPORAL_ADDRESS", "elsewhere:7233")
    monkeypatch.setenv("TEMPORAL_NAMESPACE", "elsewhere")
    monkeypatch.setenv("RELAY_TEMPORAL_ADDRESS", "temporal:7233")
    monkeypatch.setenv("RELAY_TEMPORAL_NAMESPACE", "default")  # the default, but said explicitly

    settings = Settings()

    assert (settings.temporal_address, settings.temporal_namespace) == ("temporal:7233", "default")
    assert Settings(temporal_address="127.0.0.1:7300").temporal_address == "127.0.0.1:7300"


def test_without_either_the_defaults_hold() -> None:
    settings = Settings()
    assert (settings.temporal_address, settings.temporal_namespace) == ("127.0.0.1:7233", "default")
    assert settings.temporal_api_key is None
    assert _tls(settings) is False


def test_tls_from_the_temporal_variables(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("TEMPORAL_TLS_SERVER_NAME", "temporal.internal")
    tls = _tls(Settings())
    assert isinstance(tls, TLSConfig) and tls.domain == "temporal.internal"

    ca = tmp_path / "ca.pem"
    ca.write_bytes(b"relay's CA")
    tls = _tls(Settings(temporal_tls_ca=ca))
    assert isinstance(tls, TLSConfig) and tls.server_root_ca_cert == b"relay's CA" and tls.domain is None


def test_a_malformed_profile_file_is_named(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    broken = tmp_path / "temporal.toml"
    broken.write_text("[profile.default\n")
    monkeypatch.setenv("TEMPORAL_CONFIG_FILE", str(broken))
    with pytest.raises(ValueError, match="Temporal environment configuration"):
        Settings()


async def test_connect_follows_temporal_address(
    monkeypatch: pytest.MonkeyPatch, dev_env: WorkflowEnvironment
) -> None:
    monkeypatch.setenv("TEMPORAL_ADDRESS", dev_env.client.service_client.config.target_host)
    monkeypatch.setenv("TEMPORAL_NAMESPACE", dev_env.client.namespace)

    client = await connect(Settings())

    assert client.service_client.config.target_host == dev_env.client.service_client.config.target_host
    assert client.namespace == dev_env.client.namespace
    assert await client.count_workflows() is not None


async def test_connect_prefers_relay_temporal_address(
    monkeypatch: pytest.MonkeyPatch, dev_env: WorkflowEnvironment
) -> None:
    monkeypatch.setenv("TEMPORAL_ADDRESS", f"127.0.0.1:{free_port()}")  # nothing listens there
    monkeypatch.setenv("RELAY_TEMPORAL_ADDRESS", dev_env.client.service_client.config.target_host)

    client = await connect(Settings())

    assert client.service_client.config.target_host == dev_env.client.service_client.config.target_host
    assert await client.count_workflows() is not None
