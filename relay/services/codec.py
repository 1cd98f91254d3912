"""The payload codec as a service: what ``/codec/encode`` and ``/codec/decode`` run.

The same chain every worker runs (``relay.core.payloads.relay_payload_codec``): encryption
with ``RELAY_PAYLOAD_KEYS``, then the claim check's payload store.
"""

from collections.abc import Sequence

from sqlalchemy import Engine
from temporalio.api.common.v1 import Payload

from relay.core.codec import PayloadDecryptError
from relay.core.payloads import relay_payload_codec
from relay.core.settings import Settings


class UndecodablePayload(ValueError):
    """A payload the configured keys cannot decrypt, or whose claim-checked data is gone."""


class CodecService:
    """Encode and decode payloads as a worker would; without payload keys, encoding only
    applies the claim check, and with neither configured payloads pass unchanged."""

    def __init__(self, *, engine: Engine, settings: Settings) -> None:
        self._codec = relay_payload_codec(engine, settings)

    async def encode(self, payloads: Sequence[Payload]) -> list[Payload]:
        return await self._codec.encode(payloads) if self._codec else list(payloads)

    async def decode(self, payloads: Sequence[Payload]) -> list[Payload]:
        if self._codec is None:
            return list(payloads)
        try:
            return await self._codec.decode(payloads)
        except PayloadDecryptError as exc:
            raise UndecodablePayload(str(exc)) from None
        except KeyError as exc:  # a claim-check reference whose stored payload is gone
            raise UndecodablePayload(str(exc.args[0])) from None
