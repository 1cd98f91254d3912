"""``/v1/workflows``: create, list, read, replace the draft, archive."""

from fastapi import APIRouter, Query, status

from api.deps import AccountDep, ServicesDep
from api.models.common import Page
from api.models.workflows import (
    DefinitionWarning,
    WorkflowCreate,
    WorkflowPublic,
    WorkflowSaved,
    WorkflowUpdate,
)
from api.openapi import checked_beyond_schema
from api.pagination import Cursor, Limit
from relay.services.container import Services
from relay.storage.tables import Workflow

router = APIRouter(prefix="/workflows", tags=["workflows"])


DEFINITION_CHECKS = checked_beyond_schema(
    "the definition itself (graph, action types and data, expressions, limits): `detail` lists "
    "each problem with the node at fault"
)


@router.post("", status_code=status.HTTP_201_CREATED, responses=DEFINITION_CHECKS)
async def create_workflow(body: WorkflowCreate, account: AccountDep, services: ServicesDep) -> WorkflowSaved:
    """Save a draft definition; it is validated first and nothing is saved when it is invalid.
    `warnings` lists what is valid but likely wrong (a missing template or secret, a wait
    without timeout)."""
    workflow = await services.workflows.create(account_id=account.id, definition=body.definition)
    return await _saved(workflow, account.id, services)


@router.get("")
async def list_workflows(
    account: AccountDep,
    services: ServicesDep,
    limit: Limit = 50,
    cursor: Cursor = None,
    archived: bool = Query(False, description="include archived workflows"),
) -> Page[WorkflowPublic]:
    rows, next_cursor = await services.workflows.list_page(
        account_id=account.id, archived=archived, limit=limit, cursor=cursor
    )
    return Page(items=[WorkflowPublic.of(w) for w in rows], next_cursor=next_cursor)


@router.get("/{workflow_id}")
async def read_workflow(workflow_id: str, account: AccountDep, services: ServicesDep) -> WorkflowPublic:
    return WorkflowPublic.of(await services.workflows.get(account_id=account.id, workflow_id=workflow_id))


@router.put("/{workflow_id}", responses=DEFINITION_CHECKS)
async def replace_draft(
    workflow_id: str, body: WorkflowUpdate, account: AccountDep, services: ServicesDep
) -> WorkflowSaved:
    """Replace the draft (validated); frozen versions and the live one are unchanged. `warnings`
    as for create."""
    workflow = await services.workflows.update_draft(
        account_id=account.id, workflow_id=workflow_id, definition=body.definition
    )
    return await _saved(workflow, account.id, services)


async def _saved(workflow: Workflow, account_id: str, services: Services) -> WorkflowSaved:
    found = await services.warnings.check(account_id=account_id, definition=workflow.draft)
    public = WorkflowPublic.of(workflow)
    return WorkflowSaved(**public.model_dump(), warnings=[DefinitionWarning(**w) for w in found])


@router.delete("/{workflow_id}", status_code=status.HTTP_204_NO_CONTENT)
async def archive_workflow(workflow_id: str, account: AccountDep, services: ServicesDep) -> None:
    """Archive: no event or schedule triggers it any more and it cannot be run; its runs stay
    readable."""
    await services.workflows.archive(account_id=account.id, workflow_id=workflow_id)
