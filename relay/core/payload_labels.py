"""Payloads carry their account: a label Relay's codec writes before encrypting.

The label (metadata ``relay-account``) is written innermost, so encryption seals it inside
the ciphertext and the claim check inside the stored data; ``/codec/decode`` reads it after
decoding to give an account its own payloads only. Decoding for a worker removes it.
"""

from collections.abc import Sequence

from temporalio.api.common.v1 import Payload
from temporalio.converter import (
    ActivitySerializationContext,
    PayloadCodec,
    SerializationContext,
    WithSerializationContext,
    WorkflowSerializationContext,
)

from relay.storage.payload_accounts import WorkflowAccounts

ACCOUNT_LABEL = "relay-account"


class AccountLabelCodec(PayloadCodec, WithSerializationContext):
    """Labels each payload with the account of the workflow it is written for; decode removes it.

    The account comes from the serialization context the SDK gives every client call, workflow
    activation and activity (its workflow id), or is given outright (``/codec/encode``). Without
    one the label is removed, so a payload can never arrive pre-labelled with someone's account.
    """

    def __init__(
        self,
        accounts: WorkflowAccounts | None,
        *,
        workflow_id: str | None = None,
        account_id: str | None = None,
    ) -> None:
        self._accounts = accounts
        self._workflow_id = workflow_id
        self._account_id = account_id

    def with_context(self, context: SerializationContext) -> "AccountLabelCodec":
        workflow_id = None
        if isinstance(context, WorkflowSerializationContext | ActivitySerializationContext):
            workflow_id = context.workflow_id
        return AccountLabelCodec(self._accounts, workflow_id=workflow_id, account_id=self._account_id)

    def for_account(self, account_id: str | None) -> "AccountLabelCodec":
        return AccountLabelCodec(self._accounts, account_id=account_id)

    async def encode(self, payloads: Sequence[Payload]) -> list[Payload]:
        account = self._account_id
        if account is None and self._workflow_id and self._accounts is not None:
            account = await self._accounts.account_of(self._workflow_id)
        return [label(p, account) for p in payloads]

    async def decode(self, payloads: Sequence[Payload]) -> list[Payload]:
        return [label(p, None) for p in payloads]


def label(payload: Payload, account_id: str | None) -> Payload:
    """A copy of ``payload`` labelled with ``account_id`` (None: without any label)."""
    if account_id is None and ACCOUNT_LABEL not in payload.metadata:
        return payload
    copy = Payload()
    copy.CopyFrom(payload)
    if account_id is None:
        del copy.metadata[ACCOUNT_LABEL]
    else:
        copy.metadata[ACCOUNT_LABEL] = account_id.encode()
    return copy


def account_of(payload: Payload) -> str | None:
    """The account a decoded payload is labelled with, if any."""
    value = payload.metadata.get(ACCOUNT_LABEL)
    return value.decode(errors="replace") if value is not None else None
