"""With RELAY_PAYLOAD_KEYS set, Temporal stores only ciphertext; Relay still reads every value."""

import uuid

from sqlalchemy import Engine
from sqlmodel import Session

from relay.core.codec import ENCODING
from relay.core.payloads import CLAIM_CHECK, THRESHOLD_BYTES
from relay.storage.blobs import PayloadBlob
from tests.security.conftest import SecureRunner, payloads_in
from tests.security.vault_actions import refusal, sealed

NOTE_FIELD = "note"


def _flow() -> dict:
    return {"name": "Secure", "actions": [
        {"id": "seal", "type": "security_seal", "data": {"value": "{{ event.data.note }}"}},
        {"id": "refuse", "type": "security_refuse", "data": {"value": "{{ input.extra }}"},
         "on_error": "continue"},
        {"id": "keep", "type": "set", "data": {"kept": "{{ steps.seal.output.value }}"}},
        {"id": "done", "type": "return", "data": {"output": {
            "sealed": "{{ vars.kept }}", "extra": "{{ input.extra }}"}}},
    ]}  # fmt: skip


async def test_history_holds_only_ciphertext_and_the_run_reads_in_plaintext(
    run_secure: SecureRunner,
) -> None:
    note = f"event-note-{uuid.uuid4().hex}"
    extra = f"run-input-{uuid.uuid4().hex}"

    done = await run_secure(_flow(), data={NOTE_FIELD: note}, run_input={"extra": extra})

    # Read through the Relay client: plaintext, as if nothing were encrypted.
    assert done.result is not None
    assert done.result["status"] == "completed"
    assert done.result["output"] == {"sealed": sealed(note), "extra": extra}
    assert done.step("seal").output == {"value": sealed(note)}
    assert refusal(extra) in done.step("refuse").error

    raw = done.raw()
    for secret in (note, extra, sealed(note), refusal(extra)):
        assert secret.encode() not in raw, f"{secret!r} is readable in the workflow history"

    found = list(payloads_in(done.history))
    assert len(found) >= 6  # run input, two activity inputs and outputs, the failure, the result
    plain = [path for path, p in found if p.metadata.get("encoding") != ENCODING]
    assert plain == [], f"payloads stored unencrypted: {plain}"
    key_ids = {p.metadata["encryption-key-id"] for _, p in found}
    assert key_ids == {b"2025-06"}  # the first key of the list writes


async def test_failure_messages_are_encrypted_too(run_secure: SecureRunner) -> None:
    extra = f"failing-input-{uuid.uuid4().hex}"
    flow = {"name": "Fails", "actions": [
        {"id": "refuse", "type": "security_refuse", "data": {"value": "{{ input.extra }}"}}]}  # fmt: skip

    done = await run_secure(flow, run_input={"extra": extra})

    # The Relay client decodes the failure chain back to the activity's own message.
    assert done.error is not None
    assert refusal(extra) in str(done.error.cause)
    assert done.progress.status == "failed"
    assert refusal(extra) in done.step("refuse").error
    assert refusal(extra).encode() not in done.raw()
    failures = [
        e.activity_task_failed_event_attributes.failure
        for e in done.history.events
        if e.HasField("activity_task_failed_event_attributes")
    ]
    assert failures and all(f.message == "Encoded failure" and not f.stack_trace for f in failures)


async def test_large_outputs_are_encrypted_before_the_payload_store(
    run_secure: SecureRunner, engine: Engine
) -> None:
    note = f"large-note-{uuid.uuid4().hex}"
    repeat = THRESHOLD_BYTES // len(sealed(note)) + 10
    flow = {"name": "Large", "actions": [
        {"id": "seal", "type": "security_seal", "data": {"value": "{{ event.data.note }}", "repeat": repeat}},
        {"id": "size", "type": "return", "data": {"output": "{{ $length(steps.seal.output.value) }}"}},
    ]}  # fmt: skip

    done = await run_secure(flow, data={NOTE_FIELD: note})

    assert done.result is not None and done.result["output"] == len(sealed(note)) * repeat
    assert done.step("seal").output["value"] == sealed(note) * repeat
    references = [p for _, p in payloads_in(done.history) if p.metadata.get("encoding") == CLAIM_CHECK]
    assert references, "the large output should have gone to the payload store"
    assert sealed(note).encode() not in done.raw()
    with Session(engine) as session:
        stored = [
            session.get(PayloadBlob, ref.data.decode()).data  # type: ignore[union-attr]
            for ref in references
        ]
    assert all(sealed(note).encode() not in blob for blob in stored)
    assert all(ENCODING in blob for blob in stored)  # an encrypted payload, serialised
