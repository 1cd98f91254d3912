"""Claim check: payloads over a threshold go to Relay's payload store, history keeps a reference.

This is how a 5 MB step output works although Temporal refuses payloads over 2 MB and
warns at 512 KB: the codec runs in every client and worker (never inside the workflow
sandbox), so the interpreter and expressions still see the whole value.

With ``RELAY_PAYLOAD_KEYS`` set, payloads are also encrypted (``relay.core.codec``). Encryption
runs first and the claim check second, so the payload store only ever holds ciphertext
and a reference in history names a hash of ciphertext, never of the value itself.

Before both, every payload written for a Relay workflow is labelled with its account
(metadata ``relay-account``, from the workflow id in the SDK's serialization context), so
the label is sealed inside the ciphertext and inside the stored claim-check data, and
``/codec/decode`` can give an account its own payloads only. Decoding removes the label;
payloads written before labelling (recorded histories) decode as before.
"""

import asyncio
import dataclasses
from collections.abc import Sequence

from sqlalchemy import Engine
from temporalio.api.common.v1 import Payload
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.converter import (
    DataConverter,
    DefaultFailureConverterWithEncodedAttributes,
    PayloadCodec,
    SerializationContext,
    WithSerializationContext,
)

from relay.core.codec import encryption_codec
from relay.core.payload_labels import AccountLabelCodec
from relay.core.settings import Settings
from relay.storage.blobs import get_blob, put_blob
from relay.storage.payload_accounts import WorkflowAccounts

CLAIM_CHECK = b"relay/claim-check"
THRESHOLD_BYTES = 128 * 1024
# Relay's own ceiling for one value; larger ones fail the step that made them.
LIMIT_BYTES = 64 * 1024 * 1024


class ClaimCheckCodec(PayloadCodec):
    def __init__(self, engine: Engine, *, threshold: int = THRESHOLD_BYTES) -> None:
        self._engine = engine
        self._threshold = threshold

    async def encode(self, payloads: Sequence[Payload]) -> list[Payload]:
        return [await self._encode_one(p) for p in payloads]

    async def _encode_one(self, payload: Payload) -> Payload:
        if payload.ByteSize() <= self._threshold:
            return payload
        key = await asyncio.to_thread(put_blob, self._engine, payload.SerializeToString())
        return Payload(
            metadata={"encoding": CLAIM_CHECK, "size": str(payload.ByteSize()).encode()},
            data=key.encode(),
        )

    async def decode(self, payloads: Sequence[Payload]) -> list[Payload]:
        return [await self._decode_one(p) for p in payloads]

    async def _decode_one(self, payload: Payload) -> Payload:
        if payload.metadata.get("encoding") != CLAIM_CHECK:
            return payload
        raw = await asyncio.to_thread(get_blob, self._engine, payload.data.decode())
        return Payload.FromString(raw)


class CodecChain(PayloadCodec, WithSerializationContext):
    """Codecs applied in order on encode and in reverse order on decode."""

    def __init__(self, codecs: Sequence[PayloadCodec]) -> None:
        self._codecs = list(codecs)

    def with_context(self, context: SerializationContext) -> "CodecChain":
        return CodecChain(
            [c.with_context(context) if isinstance(c, WithSerializationContext) else c for c in self._codecs]
        )

    async def encode(self, payloads: Sequence[Payload]) -> list[Payload]:
        result = list(payloads)
        for codec in self._codecs:
            result = await codec.encode(result)
        return result

    async def decode(self, payloads: Sequence[Payload]) -> list[Payload]:
        result = list(payloads)
        for codec in reversed(self._codecs):
            result = await codec.decode(result)
        return result


def relay_payload_codec(engine: Engine | None, settings: Settings) -> PayloadCodec | None:
    """The account label and the claim check (when a database is given), encryption (when keys
    are set) between them: the chain every worker and client runs (``/codec`` composes the
    same codecs in ``relay.services.codec``)."""
    return _chain(encryption_codec(settings.payload_keys), engine)


def relay_data_converter(engine: Engine | None, settings: Settings | None) -> DataConverter:
    """Pydantic JSON plus Relay's codecs, for every Relay client and worker.

    ``engine`` None: no claim check; ``settings`` None: no encryption. With encryption on,
    failure messages and stack traces move into an encoded (so encrypted) payload too: an
    error often quotes the data it choked on.
    """
    encryption = encryption_codec(settings.payload_keys) if settings is not None else None
    converter = dataclasses.replace(pydantic_data_converter, payload_codec=_chain(encryption, engine))
    if encryption is not None:
        converter = dataclasses.replace(
            converter, failure_converter_class=DefaultFailureConverterWithEncodedAttributes
        )
    return converter


def _chain(encryption: PayloadCodec | None, engine: Engine | None) -> PayloadCodec | None:
    codecs: list[PayloadCodec] = []
    if engine is not None:  # the label first, so encryption and the claim check seal it in
        codecs.append(AccountLabelCodec(WorkflowAccounts(engine)))
    if encryption is not None:
        codecs.append(encryption)
    if engine is not None:
        codecs.append(ClaimCheckCodec(engine))
    if not codecs:
        return None
    return codecs[0] if len(codecs) == 1 else CodecChain(codecs)
