"""``/v1/runs`` and manual runs: start, list, read with steps, cancel."""

import asyncio
from typing import Annotated, Literal

from fastapi import APIRouter, Query, status

from api.crud import runs as crud
from api.deps import AccountDep, EngineDep, SettingsDep, TemporalDep
from api.models.common import Page
from api.models.runs import CancelAccepted, RunAccepted, RunCreate, RunDetail, RunPublic, StepPublic
from api.pagination import Cursor, Limit
from relay.services import run_status
from relay.services.runs import start_manual_run, temporal_ui_url
from relay.services.scheduled_runs import record_fired_runs

router = APIRouter(tags=["runs"])

RunStatus = Literal["pending", "running", "completed", "filtered", "failed", "cancelled", "timed_out"]


@router.post("/workflows/{workflow_id}/runs", status_code=status.HTTP_202_ACCEPTED)
async def start_run(
    workflow_id: str,
    account: AccountDep,
    engine: EngineDep,
    client: TemporalDep,
    settings: SettingsDep,
    body: RunCreate | None = None,
) -> RunAccepted:
    """Start a run now, of the live version unless `version` says otherwise."""
    body = body or RunCreate()
    run_id = await start_manual_run(
        engine,
        client,
        settings,
        account_id=account.id,
        workflow_id=workflow_id,
        version=body.version,
        input=body.input,
    )
    return RunAccepted(run_id=run_id)


@router.get("/runs")
async def list_runs(
    account: AccountDep,
    engine: EngineDep,
    client: TemporalDep,
    settings: SettingsDep,
    workflow_id: str | None = None,
    status_filter: Annotated[RunStatus | None, Query(alias="status")] = None,
    event_id: Annotated[str | None, Query(description="Relay's event id, or the id you gave it")] = None,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> Page[RunPublic]:
    """Runs, newest first. Unfinished runs are asked of Temporal, so statuses are current."""
    await record_fired_runs(engine, client, account_id=account.id)  # what schedules started
    if status_filter is not None:
        stale = await asyncio.to_thread(
            crud.unfinished_runs, engine, account_id=account.id, workflow_id=workflow_id, event_id=event_id
        )
        await run_status.refresh_all(engine, client, stale)
    rows, next_cursor = await asyncio.to_thread(
        crud.list_runs,
        engine,
        account_id=account.id,
        workflow_id=workflow_id,
        status=status_filter,
        event_id=event_id,
        limit=limit,
        cursor=cursor,
    )
    await run_status.refresh_all(engine, client, rows)
    items = [RunPublic.of(r, ui_url=temporal_ui_url(settings, r.temporal_workflow_id)) for r in rows]
    return Page(items=items, next_cursor=next_cursor)


@router.get("/runs/{run_id}")
async def read_run(
    run_id: str, account: AccountDep, engine: EngineDep, client: TemporalDep, settings: SettingsDep
) -> RunDetail:
    """A run with its steps: live from the workflow while it runs, stored once it has ended."""
    run = await asyncio.to_thread(crud.get_run, engine, account_id=account.id, run_id=run_id)
    observed = await run_status.refresh(engine, client, run)
    public = RunPublic.of(observed.run, ui_url=temporal_ui_url(settings, run.temporal_workflow_id))
    steps = [StepPublic.model_validate(step) for step in observed.steps]
    return RunDetail(**public.model_dump(), steps=steps)


@router.post("/runs/{run_id}/cancel", status_code=status.HTTP_202_ACCEPTED)
async def cancel_run(
    run_id: str, account: AccountDep, engine: EngineDep, client: TemporalDep
) -> CancelAccepted:
    """Ask the run to stop; it ends as `cancelled` once the workflow has wound down."""
    run = await asyncio.to_thread(crud.get_run, engine, account_id=account.id, run_id=run_id)
    return CancelAccepted(run_id=run.id, status=await run_status.cancel(engine, client, run))
