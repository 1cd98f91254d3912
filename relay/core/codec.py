"""Opt-in payload encryption: AES-256-GCM on every payload a Relay client or worker writes.

Keys come from ``RELAY_PAYLOAD_KEYS`` as ``key_id:base64-key`` pairs, comma-separated. The
first key encrypts; every key decrypts, picked by the key id each payload carries in its
metadata, so a key is rotated by putting a new one first and keeping the old ones after it
for as long as histories encrypted with them are still read.
"""

import base64
import binascii
import os
import re
from collections.abc import Sequence
from dataclasses import dataclass

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from temporalio.api.common.v1 import Payload
from temporalio.converter import PayloadCodec

ENCODING = b"binary/encrypted"
KEY_ID = "encryption-key-id"
KEY_BYTES = 32
NONCE_BYTES = 12
KEY_ID_PATTERN = re.compile(r"^[A-Za-z0-9._-]{1,64}$")


class PayloadKeyError(ValueError):
    """``RELAY_PAYLOAD_KEYS`` is malformed; the message says which entry and why."""


class PayloadDecryptError(ValueError):
    """An encrypted payload cannot be decrypted with the configured keys."""


@dataclass(frozen=True, repr=False)
class PayloadKey:
    id: str
    secret: bytes

    def __repr__(self) -> str:  # never print key material
        return f"PayloadKey(id={self.id!r})"


def parse_payload_keys(entries: str | Sequence[str]) -> list[PayloadKey]:
    """``["k2:base64", "k1:base64"]`` (or the environment form ``"k2:base64,k1:base64"``) as
    keys, first first; none means encryption is off."""
    if isinstance(entries, str):
        entries = entries.split(",")
    keys: list[PayloadKey] = []
    for position, entry in enumerate((e.strip() for e in entries), start=1):
        if not entry:
            continue
        where = f"RELAY_PAYLOAD_KEYS entry {position}"
        key_id, sep, encoded = entry.partition(":")
        key_id, encoded = key_id.strip(), encoded.strip()
        if not sep or not encoded:
            raise PayloadKeyError(f"{where} must look like 'key_id:base64-key'")
        if not KEY_ID_PATTERN.match(key_id):
            raise PayloadKeyError(
                f"{where}: key id {key_id!r} must be 1-64 letters, digits, '.', '_' or '-'"
            )
        if any(k.id == key_id for k in keys):
            raise PayloadKeyError(f"{where}: key id {key_id!r} is given twice")
        try:
            secret = base64.b64decode(encoded, validate=True)
        except (binascii.Error, ValueError):
            raise PayloadKeyError(f"{where} ({key_id!r}): the key is not valid base64") from None
        if len(secret) != KEY_BYTES:
            raise PayloadKeyError(
                f"{where} ({key_id!r}): the key is {len(secret)} bytes, AES-256 needs {KEY_BYTES}"
            )
        keys.append(PayloadKey(id=key_id, secret=secret))
    return keys


def new_payload_key(key_id: str) -> str:
    """A fresh ``key_id:base64-key`` entry for ``RELAY_PAYLOAD_KEYS``."""
    if not KEY_ID_PATTERN.match(key_id):
        raise PayloadKeyError(f"key id {key_id!r} must be 1-64 letters, digits, '.', '_' or '-'")
    return f"{key_id}:{base64.b64encode(AESGCM.generate_key(bit_length=256)).decode()}"


class EncryptionCodec(PayloadCodec):
    """Encrypts each payload whole (metadata included) with the first key; decrypts by key id.

    Payloads without the encrypted encoding pass through decode untouched, so runs started
    before encryption was switched on stay readable.
    """

    def __init__(self, keys: Sequence[PayloadKey]) -> None:
        if not keys:
            raise PayloadKeyError("payload encryption needs at least one key")
        self._current = keys[0]
        self._ciphers = {k.id: AESGCM(k.secret) for k in keys}

    async def encode(self, payloads: Sequence[Payload]) -> list[Payload]:
        cipher = self._ciphers[self._current.id]
        key_id = self._current.id.encode()
        encoded = []
        for payload in payloads:
            nonce = os.urandom(NONCE_BYTES)
            # The key id is authenticated too: a payload relabelled with another id fails.
            sealed = cipher.encrypt(nonce, payload.SerializeToString(), key_id)
            encoded.append(
                Payload(metadata={"encoding": ENCODING, KEY_ID: key_id}, data=nonce + sealed)
            )
        return encoded

    async def decode(self, payloads: Sequence[Payload]) -> list[Payload]:
        return [self._decode_one(p) for p in payloads]

    def _decode_one(self, payload: Payload) -> Payload:
        if payload.metadata.get("encoding") != ENCODING:
            return payload
        key_id = payload.metadata.get(KEY_ID, b"").decode(errors="replace")
        cipher = self._ciphers.get(key_id)
        if cipher is None:
            known = ", ".join(sorted(self._ciphers))
            raise PayloadDecryptError(
                f"payload was encrypted with key id {key_id!r}, which is not in RELAY_PAYLOAD_KEYS "
                f"(configured: {known}); add that key back to read it"
            )
        data = payload.data
        try:
            if len(data) < NONCE_BYTES:
                raise InvalidTag
            plain = cipher.decrypt(data[:NONCE_BYTES], data[NONCE_BYTES:], key_id.encode())
        except InvalidTag:
            raise PayloadDecryptError(
                f"payload encrypted with key id {key_id!r} does not decrypt: the key with that id "
                "is not the one it was written with, or the payload was altered"
            ) from None
        return Payload.FromString(plain)


def encryption_codec(payload_keys: str | Sequence[str]) -> EncryptionCodec | None:
    """The codec for ``RELAY_PAYLOAD_KEYS``, or ``None`` when encryption is off."""
    keys = parse_payload_keys(payload_keys)
    return EncryptionCodec(keys) if keys else None
