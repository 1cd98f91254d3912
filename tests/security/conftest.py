"""Runs with payload encryption on, on the real Temporal dev server, read back as the Web UI would."""

from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from google.protobuf.message import Message
from sqlalchemy import Engine
from temporalio.api.common.v1 import Payload
from temporalio.api.history.v1 import History
from temporalio.client import Client
from temporalio.testing import WorkflowEnvironment

from relay.core.codec import new_payload_key
from relay.core.settings import Settings
from relay.core.temporal import connect
from tests.support.flows import Finished, flow_runner

VAULT_MODULE = "tests.security.vault_actions"
OLD_KEY = new_payload_key("2024-01")
NEW_KEY = new_payload_key("2025-06")
ACCOUNT_ID = "acct_security"
OPERATOR_TOKEN = "operator-token-for-tests"


@pytest.fixture
def secure_settings(settings: Settings, dev_env: WorkflowEnvironment) -> Settings:
    """The test's settings with payload encryption on (a rotated key list) and the dev server."""
    return settings.model_copy(
        update={
            "payload_keys": [NEW_KEY, OLD_KEY],
            "codec_operator_token": OPERATOR_TOKEN,
            "action_modules": [VAULT_MODULE],
            "temporal_address": dev_env.client.service_client.config.target_host,
            "temporal_namespace": dev_env.client.namespace,
        }
    )


@pytest.fixture
async def relay_client(secure_settings: Settings, engine: Engine) -> Client:
    """A client as every Relay process makes one: ``relay.core.temporal.connect``."""
    return await connect(secure_settings, engine=engine)


# The marker name the SDK's core gives ``workflow.patched`` markers.
PATCH_MARKER = "core_patch"
# Local activity markers: core writes their ``data`` detail itself (sequence number, attempt,
# activity id and type, times), never through the codec; their ``result`` is encoded.
LOCAL_ACTIVITY_MARKER = "core_local_activity"


@dataclass
class Secured(Finished):
    """A finished run and its history as the server stores it."""

    history: History

    def raw(self) -> bytes:
        """The history exactly as the Temporal server stores and serves it."""
        return self.history.SerializeToString()


SecureRunner = Callable[..., Awaitable[Secured]]


@pytest.fixture
async def run_secure(
    dev_env: WorkflowEnvironment, secure_settings: Settings, engine: Engine
) -> AsyncIterator[SecureRunner]:
    """``await run_secure(definition, data=..., run_input=...)``: start through the Relay client,
    run on a real worker built from ``secure_settings``, return the history as stored."""
    async with flow_runner(dev_env, secure_settings, engine, account_id=ACCOUNT_ID) as run_flow:

        async def run(document: dict[str, Any], **options: Any) -> Secured:
            done = await run_flow(document, **options)
            history = await done.handle.fetch_history()
            return Secured(**vars(done), history=History(events=history.events))

        yield run


def payloads_in(message: Message) -> Iterator[tuple[str, Payload]]:
    """Every payload inside a protobuf message, with its path. Excepted: search attributes
    (Temporal indexes those, so they are plaintext by design and Relay puts only ids there) and
    ``workflow.patched`` markers (the SDK's core writes them; their one payload is the patch id),
    and the ``data`` detail of local activity markers (core's own bookkeeping)."""
    for field, value in message.ListFields():
        if field.name == "search_attributes" or field.message_type is None:
            continue
        if field.name == "marker_recorded_event_attributes" and value.marker_name == PATCH_MARKER:
            continue
        if field.name == "details" and message.DESCRIPTOR.name == "MarkerRecordedEventAttributes":
            if getattr(message, "marker_name", "") == LOCAL_ACTIVITY_MARKER:
                value = {k: v for k, v in value.items() if k != "data"}
        if field.message_type.GetOptions().map_entry:
            items = value.items() if field.message_type.fields_by_name["value"].message_type else []
            values = [(f"{field.name}[{k}]", v) for k, v in items]
        elif isinstance(value, Message):
            values = [(field.name, value)]
        else:
            values = [(f"{field.name}[{i}]", v) for i, v in enumerate(value)]
        for path, item in values:
            if isinstance(item, Payload):
                yield path, item
            else:
                yield from ((f"{path}.{p}", found) for p, found in payloads_in(item))
