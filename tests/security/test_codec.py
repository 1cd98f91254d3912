"""The AES-GCM payload codec on its own: round trip, rotation, and the errors an operator sees."""

import base64

import pytest
from sqlalchemy import Engine
from temporalio.api.common.v1 import Payload

from relay.core.codec import (
    ENCODING,
    KEY_ID,
    EncryptionCodec,
    PayloadDecryptError,
    PayloadKeyError,
    encryption_codec,
    new_payload_key,
    parse_payload_keys,
)
from relay.core.payloads import CodecChain, relay_data_converter, relay_payload_codec
from relay.core.settings import Settings

VALUE = Payload(metadata={"encoding": b"json/plain"}, data=b'{"email": "ada@example.com"}')


def codec(keys: str) -> EncryptionCodec:
    found = encryption_codec(keys)
    assert found is not None
    return found


async def test_round_trip_hides_data_and_metadata() -> None:
    key = new_payload_key("k1")

    [sealed] = await codec(key).encode([VALUE])

    assert sealed.metadata["encoding"] == ENCODING
    assert sealed.metadata[KEY_ID] == b"k1"
    assert b"ada@example.com" not in sealed.data and b"json/plain" not in sealed.data
    assert await codec(key).decode([sealed]) == [VALUE]


async def test_each_payload_gets_its_own_nonce() -> None:
    key = new_payload_key("k1")

    first, second = await codec(key).encode([VALUE, VALUE])

    assert first.data[:12] != second.data[:12] and first.data != second.data


async def test_rotation_old_payloads_still_decode_after_a_new_key_goes_first() -> None:
    old, new = new_payload_key("old"), new_payload_key("new")
    [written_before] = await codec(old).encode([VALUE])

    rotated = codec(f"{new},{old}")
    [written_after] = await rotated.encode([VALUE])

    assert written_after.metadata[KEY_ID] == b"new"
    assert await rotated.decode([written_before, written_after]) == [VALUE, VALUE]


async def test_unknown_key_id_names_the_missing_key() -> None:
    [sealed] = await codec(new_payload_key("retired")).encode([VALUE])

    with pytest.raises(PayloadDecryptError, match=r"key id 'retired'.*configured: current"):
        await codec(new_payload_key("current")).decode([sealed])


async def test_a_different_key_under_the_same_id_fails_clearly() -> None:
    [sealed] = await codec(new_payload_key("k1")).encode([VALUE])

    with pytest.raises(PayloadDecryptError, match="does not decrypt"):
        await codec(new_payload_key("k1")).decode([sealed])


async def test_tampering_is_detected() -> None:
    key = new_payload_key("k1")
    [sealed] = await codec(key).encode([VALUE])
    flipped = Payload(metadata=sealed.metadata, data=sealed.data[:-1] + bytes([sealed.data[-1] ^ 1]))
    relabelled = Payload(metadata={**sealed.metadata, KEY_ID: b"k2"}, data=sealed.data)
    both = codec(f"{key},{new_payload_key('k2')}")

    for bad in (flipped, relabelled, Payload(metadata=sealed.metadata, data=b"short")):
        with pytest.raises(PayloadDecryptError):
            await both.decode([bad])


async def test_unencrypted_payloads_pass_through_decode() -> None:
    """Runs started before encryption was switched on stay readable."""
    assert await codec(new_payload_key("k1")).decode([VALUE]) == [VALUE]


@pytest.mark.parametrize(
    ("keys", "message"),
    [
        ("no-colon", "entry 1 must look like 'key_id:base64-key'"),
        ("k1:", "entry 1 must look like"),
        (f"bad id:{base64.b64encode(bytes(32)).decode()}", "key id 'bad id' must be"),
        ("k1:not base64!", r"entry 1 \('k1'\): the key is not valid base64"),
        (f"k1:{base64.b64encode(bytes(16)).decode()}", r"the key is 16 bytes, AES-256 needs 32"),
        (f"{new_payload_key('k1')},{new_payload_key('k1')}", "entry 2: key id 'k1' is given twice"),
    ],
)
def test_malformed_keys_are_refused_with_the_entry_named(keys: str, message: str) -> None:
    with pytest.raises(PayloadKeyError, match=message):
        parse_payload_keys(keys)


def test_key_material_never_shows_in_reprs() -> None:
    [key] = parse_payload_keys(new_payload_key("k1"))
    assert repr(key) == "PayloadKey(id='k1')"


def test_empty_settings_mean_encryption_off() -> None:
    assert parse_payload_keys(" , ") == []
    assert encryption_codec("") is None
    assert relay_payload_codec(None, Settings(payload_keys="")) is None
    assert relay_data_converter(None, Settings(payload_keys="")).payload_codec is None


async def test_encryption_runs_before_the_claim_check(engine: Engine) -> None:
    settings = Settings(payload_keys=new_payload_key("k1"))
    chain = relay_payload_codec(engine, settings)
    assert isinstance(chain, CodecChain)
    big = Payload(metadata={"encoding": b"json/plain"}, data=b'"' + b"x" * 200_000 + b'"')

    [reference] = await chain.encode([big])

    assert reference.metadata["encoding"] == b"relay/claim-check"
    assert await chain.decode([reference]) == [big]
