"""A benchmark action whose output is large: ``bench_blob`` returns ``size`` bytes of text
(default 1 MiB), so every run's output goes through the claim check (``relay.core.payloads``).

Loaded beside ``bench.noop_actions`` (``RELAY_ACTION_MODULES=bench.noop_actions,bench.blob_actions``)
by the worker-memory figure (``bench.fig_payload_memory``).
"""

from pydantic import BaseModel

from activities import ActionContext, action

BLOB = "bench_blob"
MIB = 1024 * 1024


class BlobIn(BaseModel):
    size: int = MIB


class BlobOut(BaseModel):
    value: str


@action(BLOB, input=BlobIn, output=BlobOut, description="returns `size` bytes of text; the large-output unit")
async def blob(data: BlobIn, ctx: ActionContext) -> BlobOut:
    # Distinct per run and step: the payload store keys by content hash, and identical
    # outputs would share one row, which real outputs do not.
    head = f"{ctx.run_id}/{ctx.step_id}/{ctx.attempt}:"
    return BlobOut(value=head + "x" * max(0, data.size - len(head)))
