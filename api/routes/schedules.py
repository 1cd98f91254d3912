"""``/v1/workflows/{id}/schedules``: cron triggers, run by Temporal Schedules."""

from fastapi import APIRouter, status

from api.deps import AccountDep, ServicesDep
from api.models.common import Items
from api.models.schedules import ScheduleCreate, SchedulePublic
from api.openapi import checked_beyond_schema

router = APIRouter(prefix="/workflows/{workflow_id}/schedules", tags=["schedules"])


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    responses=checked_beyond_schema(
        "`cron` is not a cron spec Temporal accepts, or `timezone` is not an IANA zone"
    ),
)
async def create_schedule(
    workflow_id: str, body: ScheduleCreate, account: AccountDep, services: ServicesDep
) -> SchedulePublic:
    """Run the workflow's live version on a cron spec; publishing later moves fires to the new
    live version. Each fire is a run of its own, listed by `GET /v1/runs`."""
    view = await services.schedules.create(
        account_id=account.id,
        workflow_id=workflow_id,
        cron=body.cron,
        timezone=body.timezone,
        input=body.input,
    )
    return SchedulePublic.of(view)


@router.get("")
async def list_schedules(
    workflow_id: str, account: AccountDep, services: ServicesDep
) -> Items[SchedulePublic]:
    views = await services.schedules.list_all(account_id=account.id, workflow_id=workflow_id)
    return Items(items=[SchedulePublic.of(view) for view in views])


@router.delete("", status_code=status.HTTP_204_NO_CONTENT)
async def delete_all_schedules(workflow_id: str, account: AccountDep, services: ServicesDep) -> None:
    """Delete every schedule of the workflow; runs they started are kept."""
    await services.schedules.delete_all(account_id=account.id, workflow_id=workflow_id)


@router.get("/{schedule_id}")
async def read_schedule(
    workflow_id: str, schedule_id: str, account: AccountDep, services: ServicesDep
) -> SchedulePublic:
    view = await services.schedules.get(
        account_id=account.id, workflow_id=workflow_id, schedule_id=schedule_id
    )
    return SchedulePublic.of(view)


@router.post("/{schedule_id}/pause")
async def pause_schedule(
    workflow_id: str, schedule_id: str, account: AccountDep, services: ServicesDep
) -> SchedulePublic:
    """No fires until resumed; the times missed meanwhile are skipped, not caught up."""
    view = await services.schedules.set_paused(
        account_id=account.id, workflow_id=workflow_id, schedule_id=schedule_id, paused=True
    )
    return SchedulePublic.of(view)


@router.post("/{schedule_id}/resume")
async def resume_schedule(
    workflow_id: str, schedule_id: str, account: AccountDep, services: ServicesDep
) -> SchedulePublic:
    view = await services.schedules.set_paused(
        account_id=account.id, workflow_id=workflow_id, schedule_id=schedule_id, paused=False
    )
    return SchedulePublic.of(view)


@router.delete("/{schedule_id}", status_code=status.HTTP_204_NO_CONTENT)
async def delete_schedule(
    workflow_id: str, schedule_id: str, account: AccountDep, services: ServicesDep
) -> None:
    """Stop the schedule; runs it started are kept and keep running."""
    await services.schedules.delete(account_id=account.id, workflow_id=workflow_id, schedule_id=schedule_id)
