"""How every Relay process reaches Temporal: one client factory, the search attributes, and
links into the Web UI."""

from typing import Literal
from urllib.parse import quote

from sqlalchemy import Engine
from temporalio.client import Client, TLSConfig
from temporalio.runtime import Runtime

from interpreter.contract import (
    RELAY_ACCOUNT,
    RELAY_EVENT,
    RELAY_EVENT_ID,
    RELAY_RUN,
    RELAY_STATUS,
    RELAY_VERSION,
    RELAY_WORKFLOW,
)
from relay.core import tracing
from relay.core.payloads import relay_data_converter
from relay.core.settings import Settings

# Registered by ``relay dev``, the compose setup job, ``relay temporal setup`` and the tests'
# servers; every run carries them (``interpreter.contract.search_attributes``).
SEARCH_ATTRIBUTES = (
    RELAY_ACCOUNT,
    RELAY_WORKFLOW,
    RELAY_VERSION,
    RELAY_RUN,
    RELAY_EVENT,
    RELAY_EVENT_ID,
    RELAY_STATUS,
)


def _tls(settings: Settings) -> TLSConfig | bool:
    """``RELAY_TEMPORAL_TLS_*`` files, else TLS from ``TEMPORAL_TLS*``, else on with an API key."""
    if settings.temporal_tls_cert or settings.temporal_tls_ca:
        return TLSConfig(
            client_cert=settings.temporal_tls_cert.read_bytes() if settings.temporal_tls_cert else None,
            client_private_key=(
                settings.temporal_tls_key.read_bytes() if settings.temporal_tls_key else None
            ),
            server_root_ca_cert=settings.temporal_tls_ca.read_bytes() if settings.temporal_tls_ca else None,
        )
    if settings.temporal_profile.tls is not None:
        return settings.temporal_profile.tls.to_connect_tls_config()
    # Temporal Cloud API keys always travel over TLS.
    return bool(settings.temporal_api_key)


async def connect(
    settings: Settings, *, engine: Engine | None = None, lazy: bool = False, runtime: Runtime | None = None
) -> Client:
    """A client with Relay's data converter, TLS and API key as the settings say (where
    ``RELAY_TEMPORAL_*`` is unset, as the SDK's ``TEMPORAL_*`` environment configuration says).

    With ``engine``, large payloads go through the claim check (``relay.core.payloads``);
    every process that reads run data (API, workers) must pass it. Payload encryption
    follows ``settings.payload_keys`` with or without ``engine``. ``lazy`` connects on the
    first call instead, so the process starts while Temporal is unreachable. ``runtime``: the
    worker's, when it serves metrics. With tracing on (``relay.core.tracing``), the client and
    the workers built on it carry the trace of the request that started a run.
    """
    return await Client.connect(
        settings.temporal_address,
        namespace=settings.temporal_namespace,
        api_key=settings.temporal_api_key,
        tls=_tls(settings),
        rpc_metadata=settings.temporal_profile.grpc_meta,
        data_converter=relay_data_converter(engine, settings),
        # Connects on first use, so a process starts (and the API records events) while
        # Temporal is down; calls fail until it is back.
        lazy=lazy,
        interceptors=tracing.client_interceptors(),
        runtime=runtime,
    )


def with_relay_converter(client: Client, engine: Engine, *, settings: Settings | None = None) -> Client:
    """The same connection with Relay's data converter: the claim check, and payload
    encryption as ``settings.payload_keys`` says.

    Pass ``settings`` wherever they are at hand: without them the client neither encrypts
    what it writes nor decrypts what it reads.
    """
    config = client.config()
    config["data_converter"] = relay_data_converter(engine, settings)
    return Client(**config)


def dev_server_search_attribute_args() -> list[str]:
    """``temporal server start-dev`` flags that pre-register Relay's search attributes."""
    kinds = {"KEYWORD": "Keyword", "INT": "Int"}
    return [
        arg
        for key in SEARCH_ATTRIBUTES
        for arg in ("--search-attribute", f"{key.name}={kinds[key.indexed_value_type.name]}")
    ]


def web_ui_url(settings: Settings, kind: Literal["workflows", "schedules"], temporal_id: str) -> str:
    """Where the Temporal Web UI shows a workflow execution or a schedule of Relay's namespace."""
    base = settings.temporal_ui_url.rstrip("/")
    namespace = quote(settings.temporal_namespace, safe="")
    return f"{base}/namespaces/{namespace}/{kind}/{quote(temporal_id, safe='')}"
