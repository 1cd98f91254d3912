"""``/v1/workflows/{id}/versions`` and ``/publish``: immutable versions, the live one."""

from functools import partial

from anyio import from_thread
from fastapi import APIRouter, status

from api.crud import workflows as crud
from api.deps import AccountDep, ActionsDep, EngineDep, SessionDep, SettingsDep, TemporalDep
from api.models.common import Items
from api.models.workflows import (
    Publish,
    VersionCreated,
    VersionPublic,
    VersionSummary,
    WorkflowPublic,
)
from relay.services import schedules

router = APIRouter(prefix="/workflows/{workflow_id}", tags=["versions"])


@router.post("/versions", status_code=status.HTTP_201_CREATED)
def create_version(
    workflow_id: str, account: AccountDep, session: SessionDep, actions: ActionsDep
) -> VersionCreated:
    """Freeze the current draft as the next version (validated and compiled now)."""
    workflow = crud.get_workflow(session, account_id=account.id, workflow_id=workflow_id)
    return VersionCreated(version=crud.create_version(session, workflow=workflow, actions=actions).version)


@router.get("/versions")
def list_versions(workflow_id: str, account: AccountDep, session: SessionDep) -> Items[VersionSummary]:
    workflow = crud.get_workflow(session, account_id=account.id, workflow_id=workflow_id)
    rows = crud.list_versions(session, workflow=workflow)
    return Items(items=[VersionSummary.of(v, live_version=workflow.live_version) for v in rows])


@router.get("/versions/{version}")
def read_version(workflow_id: str, version: int, account: AccountDep, session: SessionDep) -> VersionPublic:
    workflow = crud.get_workflow(session, account_id=account.id, workflow_id=workflow_id)
    row = crud.get_version(session, workflow=workflow, version=version)
    return VersionPublic.of(row, live_version=workflow.live_version)


@router.post("/publish")
def publish(
    workflow_id: str,
    body: Publish,
    account: AccountDep,
    session: SessionDep,
    engine: EngineDep,
    client: TemporalDep,
    settings: SettingsDep,
) -> WorkflowPublic:
    """Make a version live; publishing an older one is a rollback. Runs keep their version;
    the workflow's schedules fire the new live version from now on."""
    workflow = crud.get_workflow(session, account_id=account.id, workflow_id=workflow_id)
    published = crud.publish(session, workflow=workflow, version=body.version)
    from_thread.run(partial(schedules.follow_live_version, engine, client, settings, workflow_id=workflow_id))
    return WorkflowPublic.of(published)
