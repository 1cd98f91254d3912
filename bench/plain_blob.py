"""Plain Temporal's large-output run, the baseline of ``bench.fig_payload_memory``: one activity
returns ``size`` bytes of text (as Relay's ``bench_blob`` does) and the workflow returns its length, with
the SDK's defaults (no claim check: Temporal takes payloads up to 2 MiB in history)."""

from dataclasses import dataclass

from temporalio import activity, workflow

from bench.plain import RETRY, TIMEOUT

PLAIN_BLOB_WORKFLOW = "PlainBlob"
MIB = 1024 * 1024


@dataclass
class BlobJob:
    size: int = MIB


@activity.defn(name="plain_blob")
async def plain_blob(job: BlobJob) -> str:
    head = f"{activity.info().workflow_id}:"  # distinct per run, like bench_blob's
    return head + "x" * max(0, job.size - len(head))


@workflow.defn(name=PLAIN_BLOB_WORKFLOW)
class PlainBlob:
    @workflow.run
    async def run(self, job: BlobJob) -> int:
        # Its length only: the output has passed through the worker either way, and the
        # in-memory dev server keeps plain runs' payloads in their histories (1 GiB for the
        # activity results of 1,000 runs; 2 GiB with the workflow results too).
        output = await workflow.execute_activity(
            plain_blob, job, start_to_close_timeout=TIMEOUT, retry_policy=RETRY
        )
        return len(output)
