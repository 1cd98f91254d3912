"""``/v1/workflows/{id}/schedules``: cron triggers, run by Temporal Schedules."""

import asyncio
from typing import Annotated

from fastapi import APIRouter, Depends, status

from api.deps import AccountDep, EngineDep, SettingsDep, TemporalDep
from api.models.common import Items
from api.models.schedules import ScheduleCreate, SchedulePublic
from relay.core.settings import Settings
from relay.services import schedules
from relay.services.schedules import ScheduleView
from relay.storage import schedules as store
from relay.storage.schedules import CronSchedule

router = APIRouter(prefix="/workflows/{workflow_id}/schedules", tags=["schedules"])


@router.post("", status_code=status.HTTP_201_CREATED)
async def create_schedule(
    workflow_id: str,
    body: ScheduleCreate,
    account: AccountDep,
    engine: EngineDep,
    client: TemporalDep,
    settings: SettingsDep,
) -> SchedulePublic:
    """Run the workflow's live version on a cron spec; publishing later moves fires to the new
    live version. Each fire is a run of its own, listed by `GET /v1/runs`."""
    view = await schedules.create_schedule(
        engine,
        client,
        settings,
        account_id=account.id,
        workflow_id=workflow_id,
        cron=body.cron,
        timezone=body.timezone,
        input=body.input,
    )
    return _public(view, settings)


@router.get("")
async def list_schedules(
    workflow_id: str, account: AccountDep, engine: EngineDep, client: TemporalDep, settings: SettingsDep
) -> Items[SchedulePublic]:
    rows = await asyncio.to_thread(
        store.list_schedules, engine, account_id=account.id, workflow_id=workflow_id
    )
    views = await asyncio.gather(*(schedules.describe(client, row) for row in rows))
    return Items(items=[_public(view, settings) for view in views])


@router.delete("", status_code=status.HTTP_204_NO_CONTENT)
async def delete_all_schedules(
    workflow_id: str, account: AccountDep, engine: EngineDep, client: TemporalDep
) -> None:
    """Delete every schedule of the workflow; runs they started are kept."""
    await asyncio.to_thread(store.list_schedules, engine, account_id=account.id, workflow_id=workflow_id)
    await schedules.delete_workflow_schedules(engine, client, workflow_id=workflow_id)


async def _schedule(
    workflow_id: str, schedule_id: str, account: AccountDep, engine: EngineDep
) -> CronSchedule:
    return await asyncio.to_thread(
        store.get_schedule, engine, account_id=account.id, workflow_id=workflow_id, schedule_id=schedule_id
    )


ScheduleDep = Annotated[CronSchedule, Depends(_schedule)]


@router.get("/{schedule_id}")
async def read_schedule(schedule: ScheduleDep, client: TemporalDep, settings: SettingsDep) -> SchedulePublic:
    return _public(await schedules.describe(client, schedule), settings)


@router.post("/{schedule_id}/pause")
async def pause_schedule(schedule: ScheduleDep, client: TemporalDep, settings: SettingsDep) -> SchedulePublic:
    """No fires until resumed; the times missed meanwhile are skipped, not caught up."""
    return _public(await schedules.set_paused(client, schedule, paused=True), settings)


@router.post("/{schedule_id}/resume")
async def resume_schedule(
    schedule: ScheduleDep, client: TemporalDep, settings: SettingsDep
) -> SchedulePublic:
    return _public(await schedules.set_paused(client, schedule, paused=False), settings)


@router.delete("/{schedule_id}", status_code=status.HTTP_204_NO_CONTENT)
async def delete_schedule(schedule: ScheduleDep, engine: EngineDep, client: TemporalDep) -> None:
    """Stop the schedule; runs it started are kept and keep running."""
    await schedules.delete_schedule(engine, client, schedule)


def _public(view: ScheduleView, settings: Settings) -> SchedulePublic:
    return SchedulePublic.of(view, ui_url=schedules.schedule_ui_url(settings, view.row.temporal_schedule_id))
