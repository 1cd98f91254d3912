"""Claim check: payloads over a threshold go to Relay's payload store, history keeps a reference.

This is how a 5 MB step output works although Temporal refuses payloads over 2 MB and
warns at 512 KB: the codec runs in every client and worker (never inside the workflow
sandbox), so the interpreter and expressions still see the whole value.
"""

import asyncio
import dataclasses
from collections.abc import Sequence

from sqlalchemy import Engine
from temporalio.api.common.v1 import Payload
from temporalio.converter import DataConverter, PayloadCodec
from temporalio.contrib.pydantic import pydantic_data_converter

from relay.storage.blobs import get_blob, put_blob

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


def relay_data_converter(engine: Engine) -> DataConverter:
    """Pydantic JSON plus the claim check, for every Relay client and worker."""
    return dataclasses.replace(pydantic_data_converter, payload_codec=ClaimCheckCodec(engine))
