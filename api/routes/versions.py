"""``/v1/workflows/{id}/versions`` and ``/publish``: immutable versions, the live one."""

from typing import Annotated

from fastapi import APIRouter, Query, status

from api.deps import AccountDep, ServicesDep
from api.models.common import Items
from api.models.diff import VersionDiff
from api.models.workflows import (
    DefinitionWarning,
    Publish,
    VersionCreated,
    VersionPublic,
    VersionSummary,
    WorkflowPublic,
)
from api.openapi import checked_beyond_schema
from relay.core.errors import Invalid
from relay.services import diff

router = APIRouter(prefix="/workflows/{workflow_id}", tags=["versions"])


@router.post("/versions", status_code=status.HTTP_201_CREATED)
async def create_version(workflow_id: str, account: AccountDep, services: ServicesDep) -> VersionCreated:
    """Freeze the current draft as the next version (validated and compiled now), with the
    `warnings` its definition draws (a missing template or secret, a wait without timeout)."""
    created = await services.workflows.create_version(account_id=account.id, workflow_id=workflow_id)
    found = await services.warnings.check(account_id=account.id, definition=created.definition)
    return VersionCreated(version=created.version, warnings=[DefinitionWarning(**w) for w in found])


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


AGAINST = "the version to compare with; default: the one before"


@router.get(
    "/versions/{version}/diff",
    responses=checked_beyond_schema("version 1 has no version before it: `against` is needed"),
)
async def diff_versions(
    workflow_id: str,
    version: int,
    account: AccountDep,
    services: ServicesDep,
    against: Annotated[int | None, Query(ge=1, description=AGAINST)] = None,
) -> VersionDiff:
    """What changed from version `against` to `version`, step by step: steps added, removed or
    changed (each change as `{path, before, after}`, edges as the step's `next`)."""
    base = against if against is not None else version - 1
    if base < 1:
        raise Invalid("version 1 has no version before it: give ?against=", field="against")
    read = services.workflows.get_version
    _, new = await read(account_id=account.id, workflow_id=workflow_id, version=version)
    _, old = await read(account_id=account.id, workflow_id=workflow_id, version=base)
    changes = diff.diff_versions(old.compiled, new.compiled)
    return VersionDiff(workflow_id=workflow_id, version=version, against=base, **changes)


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
