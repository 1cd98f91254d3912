"""``/v1/workflows``: create, list, read, replace the draft, archive."""

from functools import partial

from anyio import from_thread
from fastapi import APIRouter, Query, status

from api.crud import workflows as crud
from api.deps import AccountDep, ActionsDep, EngineDep, SessionDep, TemporalDep
from api.models.common import Page
from api.models.workflows import WorkflowCreate, WorkflowPublic, WorkflowUpdate
from api.pagination import Cursor, Limit
from relay.services import schedules

router = APIRouter(prefix="/workflows", tags=["workflows"])


@router.post("", status_code=status.HTTP_201_CREATED)
def create_workflow(
    body: WorkflowCreate, account: AccountDep, session: SessionDep, actions: ActionsDep
) -> WorkflowPublic:
    """Save a draft definition; it is validated first and nothing is saved when it is invalid."""
    workflow = crud.create_workflow(
        session, account_id=account.id, definition=body.definition, actions=actions
    )
    return WorkflowPublic.of(workflow)


@router.get("")
def list_workflows(
    account: AccountDep,
    session: SessionDep,
    limit: Limit = 50,
    cursor: Cursor = None,
    archived: bool = Query(False, description="include archived workflows"),
) -> Page[WorkflowPublic]:
    rows, next_cursor = crud.list_workflows(
        session, account_id=account.id, archived=archived, limit=limit, cursor=cursor
    )
    return Page(items=[WorkflowPublic.of(w) for w in rows], next_cursor=next_cursor)


@router.get("/{workflow_id}")
def read_workflow(workflow_id: str, account: AccountDep, session: SessionDep) -> WorkflowPublic:
    return WorkflowPublic.of(crud.get_workflow(session, account_id=account.id, workflow_id=workflow_id))


@router.put("/{workflow_id}")
def replace_draft(
    workflow_id: str, body: WorkflowUpdate, account: AccountDep, session: SessionDep, actions: ActionsDep
) -> WorkflowPublic:
    """Replace the draft (validated); frozen versions and the live one are unchanged."""
    workflow = crud.get_workflow(session, account_id=account.id, workflow_id=workflow_id)
    workflow = crud.update_workflow(session, workflow=workflow, definition=body.definition, actions=actions)
    return WorkflowPublic.of(workflow)


@router.delete("/{workflow_id}", status_code=status.HTTP_204_NO_CONTENT)
def archive_workflow(
    workflow_id: str, account: AccountDep, session: SessionDep, engine: EngineDep, client: TemporalDep
) -> None:
    """Archive: no event or schedule triggers it any more and it cannot be run; its runs stay
    readable."""
    workflow = crud.get_workflow(session, account_id=account.id, workflow_id=workflow_id)
    crud.archive_workflow(session, workflow=workflow)
    from_thread.run(partial(schedules.delete_workflow_schedules, engine, client, workflow_id=workflow.id))
