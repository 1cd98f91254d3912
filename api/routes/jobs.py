"""Bulk operations on runs (``POST /v1/runs/bulk``) and the jobs that carry them out."""

from fastapi import APIRouter, Response, status

from api.deps import AccountDep, ServicesDep
from api.models.jobs import BulkCount, BulkRequest, JobAccepted, JobPublic

router = APIRouter(tags=["jobs"])


@router.post(
    "/runs/bulk",
    status_code=status.HTTP_202_ACCEPTED,
    responses={
        status.HTTP_200_OK: {"model": BulkCount, "description": "`dry_run`: how many runs it selects"}
    },
)
async def bulk_runs(
    body: BulkRequest, account: AccountDep, services: ServicesDep, response: Response
) -> JobAccepted | BulkCount:
    """Cancel, replay or rerun every run the filter selects, as a durable job (202 with its id).
    The runs are those selected now; `dry_run` only counts them (200)."""
    filter = body.filter.model_dump(exclude_none=True)
    if body.dry_run:
        response.status_code = status.HTTP_200_OK
        return BulkCount(count=await services.jobs.count(account_id=account.id, filter=filter))
    job_id = await services.jobs.create(account_id=account.id, action=body.action, filter=filter)
    return JobAccepted(job_id=job_id)


@router.get(
    "/jobs/{job_id}", responses={status.HTTP_404_NOT_FOUND: {"description": "no such job in your account"}}
)
async def read_job(job_id: str, account: AccountDep, services: ServicesDep) -> JobPublic:
    """A bulk job: how many of its runs are done or failed, and whether it has finished."""
    return JobPublic.of(await services.jobs.read(account_id=account.id, job_id=job_id))
