"""``/v1/runs`` and manual runs: start, list, read with steps, cancel."""

from typing import Annotated, Literal

from fastapi import APIRouter, Query, status

from api.deps import AccountDep, ServicesDep
from api.models.common import Page
from api.models.runs import (
    CancelAccepted,
    RerunCreate,
    RunAccepted,
    RunCreate,
    RunDetail,
    RunPublic,
    StepPublic,
)
from api.openapi import checked_beyond_schema
from api.pagination import Cursor, Limit

router = APIRouter(tags=["runs"])

RunStatus = Literal[
    "pending", "queued", "running", "completed", "filtered", "failed", "cancelled", "timed_out"
]


@router.post(
    "/workflows/{workflow_id}/runs",
    status_code=status.HTTP_202_ACCEPTED,
    responses=checked_beyond_schema("`version` is not a version of the workflow"),
)
async def start_run(
    workflow_id: str, account: AccountDep, services: ServicesDep, body: RunCreate | None = None
) -> RunAccepted:
    """Start a run now, of the live version unless `version` says otherwise."""
    body = body or RunCreate()
    run_id = await services.runs.start(
        account_id=account.id, workflow_id=workflow_id, version=body.version, input=body.input
    )
    return RunAccepted(run_id=run_id)


@router.get("/runs")
async def list_runs(
    account: AccountDep,
    services: ServicesDep,
    workflow_id: str | None = None,
    status_filter: Annotated[RunStatus | None, Query(alias="status")] = None,
    event_id: Annotated[str | None, Query(description="Relay's event id, or the id you gave it")] = None,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> Page[RunPublic]:
    """Runs, newest first. Each run records its own start and end, so statuses are current."""
    rows, next_cursor = await services.runs.list_page(
        account_id=account.id, workflow_id=workflow_id, status=status_filter, event_id=event_id,
        limit=limit, cursor=cursor,
    )  # fmt: skip
    items = [RunPublic.of(r, ui_url=services.runs.ui_url(r.temporal_workflow_id)) for r in rows]
    return Page(items=items, next_cursor=next_cursor)


@router.get("/runs/{run_id}")
async def read_run(run_id: str, account: AccountDep, services: ServicesDep) -> RunDetail:
    """A run with its steps: live from the workflow while it runs, stored once it has ended."""
    run, steps = await services.runs.read(account_id=account.id, run_id=run_id)
    public = RunPublic.of(run, ui_url=services.runs.ui_url(run.temporal_workflow_id))
    return RunDetail(**public.model_dump(), steps=[StepPublic.model_validate(step) for step in steps])


@router.post("/runs/{run_id}/cancel", status_code=status.HTTP_202_ACCEPTED)
async def cancel_run(run_id: str, account: AccountDep, services: ServicesDep) -> CancelAccepted:
    """Ask the run to stop; it ends as `cancelled` once the workflow has wound down."""
    outcome = await services.runs.cancel(account_id=account.id, run_id=run_id)
    return CancelAccepted(run_id=run_id, status=outcome)


@router.post(
    "/runs/{run_id}/rerun",
    status_code=status.HTTP_202_ACCEPTED,
    responses={
        status.HTTP_404_NOT_FOUND: {"description": "no such run in your account"},
        status.HTTP_409_CONFLICT: {
            "description": "the run has not ended, its workflow is archived, or it has no failed step "
            "and no `from_step` was given"
        },
        **checked_beyond_schema("`from_step` is not a step of the version run, or `version` does not exist"),
    },
)
async def rerun_run(
    run_id: str, account: AccountDep, services: ServicesDep, body: RerunCreate | None = None
) -> RunAccepted:
    """A new run of the same event and input; the steps that completed before `from_step`
    (default: the step that failed) are not executed again: their recorded outputs are reused."""
    body = body or RerunCreate()
    new_run_id = await services.runs.rerun(
        account_id=account.id, run_id=run_id, from_step=body.from_step, version=body.version
    )
    return RunAccepted(run_id=new_run_id)
