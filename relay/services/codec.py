"""The payload codec as a service: what ``/codec/encode`` and ``/codec/decode`` run.

The same codecs every worker runs (``relay.core.payloads``): the account label, encryption
with ``RELAY_PAYLOAD_KEYS``, the claim check's payload store. On top, who may read what:
an account decodes only payloads labelled with its own account; an operator (the Web UI
with the operator cookie, ``account_id=None``) decodes every payload.
"""

from collections.abc import Sequence

from sqlalchemy import Engine
from temporalio.api.common.v1 import Payload

from relay.core.codec import ENCODING, PayloadDecryptError, encryption_codec
from relay.core.payload_labels import AccountLabelCodec, account_of, label
from relay.core.payloads import CLAIM_CHECK, ClaimCheckCodec
from relay.core.settings import Settings
from relay.storage.payload_accounts import WorkflowAccounts

# Encodings Relay's codecs write: what a caller must be entitled to before it sees the inside.
RELAY_ENCODINGS = frozenset({ENCODING, CLAIM_CHECK})


class UndecodablePayload(ValueError):
    """A payload the configured keys cannot decrypt; the message names the key id."""


class PayloadNotFound(LookupError):
    """``payloads[index]`` is not the caller's, or its claim-checked data is gone: the same
    answer for both, so an account learns nothing about another's payloads."""

    def __init__(self, index: int) -> None:
        super().__init__(index)
        self.index = index

    def __str__(self) -> str:
        return f"payloads[{self.index}] is not a payload of this account, or its stored data is gone"


class CodecService:
    """Encode and decode payloads as a worker would, for an account or for an operator."""

    def __init__(self, *, engine: Engine, settings: Settings) -> None:
        self._label = AccountLabelCodec(WorkflowAccounts(engine))
        self._encryption = encryption_codec(settings.payload_keys)
        self._claim_check = ClaimCheckCodec(engine)

    async def encode(self, payloads: Sequence[Payload], *, account_id: str | None) -> list[Payload]:
        """Label with ``account_id`` (None: unlabelled, only operators decode it back), encrypt
        with the first key, claim-check what is large."""
        result = await self._label.for_account(account_id).encode(payloads)
        if self._encryption is not None:
            result = await self._encryption.encode(result)
        return await self._claim_check.encode(result)

    async def decode(self, payloads: Sequence[Payload], *, account_id: str | None) -> list[Payload]:
        """Each payload as the workflow saw it. ``account_id`` given: a payload Relay encoded
        must carry that account's label, else ``PayloadNotFound`` (unlabelled ones, written
        before labelling, included); payloads Relay did not encode come back as they are."""
        return [await self._decode_one(index, p, account_id) for index, p in enumerate(payloads)]

    async def _decode_one(self, index: int, payload: Payload, account_id: str | None) -> Payload:
        if payload.metadata.get("encoding") not in RELAY_ENCODINGS:
            return label(payload, None)
        try:
            (inner,) = await self._claim_check.decode([payload])
            if self._encryption is not None:
                (inner,) = await self._encryption.decode([inner])
        except (KeyError, UnicodeDecodeError):  # a claim-check reference to nothing stored
            raise PayloadNotFound(index) from None
        except PayloadDecryptError as exc:
            raise UndecodablePayload(f"payloads[{index}]: {exc}") from None
        if inner.metadata.get("encoding") == ENCODING:  # encrypted, but encryption is off here
            raise UndecodablePayload(f"payloads[{index}] is encrypted and RELAY_PAYLOAD_KEYS is empty")
        if account_id is not None and account_of(inner) != account_id:
            raise PayloadNotFound(index)
        return label(inner, None)
