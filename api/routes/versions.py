"""``/v1/workflows/{id}/versions`` and ``/publish``: immutable versions, the live one."""

from fastapi import APIRouter, status

from api.deps import AccountDep, ServicesDep
from api.models.common import Items
from api.models.workflows import (
    Publish,
    VersionCreated,
    VersionPublic,
    VersionSummary,
    WorkflowPublic,
)

router = APIRouter(prefix="/workflows/{workflow_id}", tags=["versions"])


@router.post("/versions", status_code=status.HTTP_201_CREATED)
async def create_version(workflow_id: str, account: AccountDep, services: ServicesDep) -> VersionCreated:
    """Freeze the current draft as the next version (validated and compiled now)."""
    created = await services.workflows.create_version(account_id=account.id, workflow_id=workflow_id)
    return VersionCreated(version=created.version)


@router.get("/versions")
async def list_versions(
    workflow_id: str, account: AccountDep, services: ServicesDep
) -> Items[VersionSummary]:
    workflow, rows = await services.workflows.list_versions(account_id=account.id, workflow_id=workflow_id)
    return Items(items=[VersionSummary.of(v, live_version=workflow.live_version) for v in rows])


@router.get("/versions/{version}")
async def read_version(
    workflow_id: str, version: int, account: AccountDep, services: ServicesDep
) -> VersionPublic:
    workflow, row = await services.workflows.get_version(
        account_id=account.id, workflow_id=workflow_id, version=version
    )
    return VersionPublic.of(row, live_version=workflow.live_version)


@router.post("/publish")
async def publish(
    workflow_id: str, body: Publish, account: AccountDep, services: ServicesDep
) -> WorkflowPublic:
    """Make a version live; publishing an older one is a rollback. Runs keep their version;
    the workflow's schedules fire the new live version from now on."""
    published = await services.workflows.publish(
        account_id=account.id, workflow_id=workflow_id, version=body.version
    )
    return WorkflowPublic.of(published)
