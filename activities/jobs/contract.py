"""Names and types shared by the bulk-job workflow and its activities (pure pydantic)."""

from typing import Literal

from pydantic import BaseModel

JOB_WORKFLOW = "RelayBulkJob"
JOB_BATCH_ACTIVITY = "relay.job_batch"
JOB_FINISH_ACTIVITY = "relay.job_finish"

JobAction = Literal["cancel", "replay", "rerun"]


def job_workflow_id(*, account_id: str, job_id: str) -> str:
    return f"relay-{account_id}-job-{job_id}"


class JobInput(BaseModel):
    job_id: str
    account_id: str
    action: JobAction
    # Where this workflow execution picks up (continue-as-new carries it on).
    offset: int = 0
    # Runs per batch (one activity each), and batches per execution before continuing as new.
    batch_size: int = 20
    batches_per_execution: int = 100


class BatchRequest(BaseModel):
    job_id: str
    account_id: str
    action: JobAction
    offset: int
    size: int


class BatchResult(BaseModel):
    processed: int  # runs in this batch (0: the job has no runs left)
    total: int


class FinishRequest(BaseModel):
    job_id: str
    status: Literal["completed", "failed"]
