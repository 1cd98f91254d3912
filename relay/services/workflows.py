"""Workflows: drafts validated on every save, immutable versions, the live version.

``WorkflowService`` is what the API calls; the keyword-only functions below it are the
sync database work it runs in a thread, one session per call.
"""

from collections.abc import Mapping
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from interpreter.compile import ActionInfo, compile_definition
from relay.core.errors import Conflict, Invalid, NotFound
from relay.core.ids import readable_id
from relay.services import pagination
from relay.services.db import in_session
from relay.services.schedules import ScheduleService
from relay.storage.tables import Workflow, WorkflowVersion, utcnow


class WorkflowService:
    """Create, read, replace the draft, archive; freeze versions and publish one."""

    def __init__(
        self, *, engine: Engine, actions: Mapping[str, ActionInfo], schedules: ScheduleService
    ) -> None:
        self.engine = engine
        self.actions = actions
        self.schedules = schedules

    async def create(self, *, account_id: str, definition: dict[str, Any]) -> Workflow:
        """Validate ``definition`` (nothing is written when it is invalid) and save it as a draft."""
        return await in_session(
            self.engine, create_workflow, account_id=account_id, definition=definition, actions=self.actions
        )

    async def list_page(
        self, *, account_id: str, archived: bool, limit: int, cursor: str | None
    ) -> tuple[list[Workflow], str | None]:
        return await in_session(
            self.engine, list_workflows, account_id=account_id, archived=archived, limit=limit, cursor=cursor
        )

    async def get(self, *, account_id: str, workflow_id: str) -> Workflow:
        return await in_session(self.engine, get_workflow, account_id=account_id, workflow_id=workflow_id)

    async def update_draft(
        self, *, account_id: str, workflow_id: str, definition: dict[str, Any]
    ) -> Workflow:
        """Replace the draft; versions already frozen, and runs, are untouched."""
        return await in_session(
            self.engine,
            update_workflow,
            account_id=account_id,
            workflow_id=workflow_id,
            definition=definition,
            actions=self.actions,
        )

    async def archive(self, *, account_id: str, workflow_id: str) -> None:
        """No event or schedule triggers it any more (its schedules are deleted); runs stay readable."""
        await in_session(self.engine, archive_workflow, account_id=account_id, workflow_id=workflow_id)
        await self.schedules.delete_workflow_schedules(workflow_id=workflow_id)

    async def create_version(self, *, account_id: str, workflow_id: str) -> WorkflowVersion:
        """Freeze the draft as version N+1, with its compiled form (re-validated now)."""
        return await in_session(
            self.engine, create_version, account_id=account_id, workflow_id=workflow_id, actions=self.actions
        )

    async def list_versions(
        self, *, account_id: str, workflow_id: str
    ) -> tuple[Workflow, list[WorkflowVersion]]:
        """The workflow and its versions, newest first."""
        return await in_session(self.engine, list_versions, account_id=account_id, workflow_id=workflow_id)

    async def get_version(
        self, *, account_id: str, workflow_id: str, version: int
    ) -> tuple[Workflow, WorkflowVersion]:
        return await in_session(
            self.engine, get_version, account_id=account_id, workflow_id=workflow_id, version=version
        )

    async def publish(self, *, account_id: str, workflow_id: str, version: int) -> Workflow:
        """Make ``version`` live (events, manual runs and the workflow's schedules use it from now
        on); runs in flight keep theirs."""
        published = await in_session(
            self.engine, publish, account_id=account_id, workflow_id=workflow_id, version=version
        )
        await self.schedules.follow_live_version(workflow_id=workflow_id)
        return published


def get_workflow(session: Session, *, account_id: str, workflow_id: str) -> Workflow:
    """The account's workflow; another account's id is as unknown as a made-up one."""
    workflow = session.get(Workflow, workflow_id)
    if workflow is None or workflow.account_id != account_id:
        raise NotFound(f"workflow {workflow_id!r} does not exist")
    return workflow


def invoke_target(session: Session, *, account_id: str, ref: str) -> Workflow:
    """The account's workflow an ``invoke`` names by id or by (unique) name, with a live version.

    Raises ``Invalid`` with the problem to show (no such workflow, an ambiguous name, nothing
    published); each caller turns it into its own kind of failure.
    """
    by_id = session.get(Workflow, ref)
    if by_id is not None and by_id.account_id == account_id and not by_id.archived:
        found = by_id
    else:
        matches = session.exec(
            select(Workflow).where(
                Workflow.account_id == account_id, Workflow.name == ref, col(Workflow.archived).is_(False)
            )
        ).all()
        if len(matches) != 1:
            problem = "no workflow" if not matches else f"{len(matches)} workflows"
            raise Invalid(f"invoke: {problem} with id or name {ref!r} in this account")
        found = matches[0]
    if found.live_version is None:
        raise Invalid(f"invoke: workflow {ref!r} has no published version")
    return found


def list_workflows(
    session: Session, *, account_id: str, archived: bool, limit: int, cursor: str | None
) -> tuple[list[Workflow], str | None]:
    statement = select(Workflow).where(Workflow.account_id == account_id)
    if not archived:
        statement = statement.where(col(Workflow.archived).is_(False))
    statement = pagination.newest_first(
        statement, created_at=Workflow.created_at, row_id=Workflow.id, cursor=cursor, limit=limit
    )
    rows = session.exec(statement).all()
    return pagination.split(rows, limit=limit, key=lambda w: (w.created_at, w.id))


def create_workflow(
    session: Session, *, account_id: str, definition: dict[str, Any], actions: Mapping[str, ActionInfo]
) -> Workflow:
    """Validate ``definition`` (nothing is written when it is invalid) and save it as a draft."""
    compile_definition(definition, actions)
    workflow = Workflow(
        id=readable_id(definition["name"], fallback="workflow"),
        account_id=account_id,
        name=definition["name"],
        draft=definition,
    )
    session.add(workflow)
    session.commit()
    return workflow


def update_workflow(
    session: Session,
    *,
    account_id: str,
    workflow_id: str,
    definition: dict[str, Any],
    actions: Mapping[str, ActionInfo],
) -> Workflow:
    workflow = get_workflow(session, account_id=account_id, workflow_id=workflow_id)
    _writable(workflow)
    compile_definition(definition, actions)
    workflow.draft = definition
    workflow.name = definition["name"]
    workflow.updated_at = utcnow()
    session.add(workflow)
    session.commit()
    return workflow


def archive_workflow(session: Session, *, account_id: str, workflow_id: str) -> None:
    """Archived workflows are no longer triggered or runnable; their runs stay readable."""
    workflow = get_workflow(session, account_id=account_id, workflow_id=workflow_id)
    workflow.archived = True
    workflow.updated_at = utcnow()
    session.add(workflow)
    session.commit()


def create_version(
    session: Session, *, account_id: str, workflow_id: str, actions: Mapping[str, ActionInfo]
) -> WorkflowVersion:
    workflow = get_workflow(session, account_id=account_id, workflow_id=workflow_id)
    _writable(workflow)
    compiled = compile_definition(workflow.draft, actions)
    locked = _locked(session, workflow)
    version = WorkflowVersion(
        workflow_id=locked.id,
        version=locked.latest_version + 1,
        definition=locked.draft,
        compiled=compiled.definition,
        trigger_event=compiled.trigger_event,
    )
    locked.latest_version = version.version
    locked.updated_at = utcnow()
    session.add_all([version, locked])
    try:
        session.commit()
    except IntegrityError:
        session.rollback()
        raise Conflict("another version was created at the same moment; try again") from None
    return version


def list_versions(
    session: Session, *, account_id: str, workflow_id: str
) -> tuple[Workflow, list[WorkflowVersion]]:
    workflow = get_workflow(session, account_id=account_id, workflow_id=workflow_id)
    statement = (
        select(WorkflowVersion)
        .where(WorkflowVersion.workflow_id == workflow.id)
        .order_by(col(WorkflowVersion.version).desc())
    )
    return workflow, list(session.exec(statement).all())


def get_version(
    session: Session, *, account_id: str, workflow_id: str, version: int
) -> tuple[Workflow, WorkflowVersion]:
    workflow = get_workflow(session, account_id=account_id, workflow_id=workflow_id)
    return workflow, _version(session, workflow=workflow, version=version)


def _version(session: Session, *, workflow: Workflow, version: int) -> WorkflowVersion:
    found = session.exec(
        select(WorkflowVersion).where(
            WorkflowVersion.workflow_id == workflow.id, WorkflowVersion.version == version
        )
    ).first()
    if found is None:
        raise NotFound(f"workflow {workflow.id!r} has no version {version}")
    return found


def publish(session: Session, *, account_id: str, workflow_id: str, version: int) -> Workflow:
    workflow = get_workflow(session, account_id=account_id, workflow_id=workflow_id)
    _writable(workflow)
    chosen = _version(session, workflow=workflow, version=version)
    locked = _locked(session, workflow)
    locked.live_version = chosen.version
    locked.trigger_event = chosen.trigger_event
    locked.updated_at = utcnow()
    session.add(locked)
    session.commit()
    return locked


def _writable(workflow: Workflow) -> None:
    if workflow.archived:
        raise Conflict(f"workflow {workflow.id!r} is archived")


def _locked(session: Session, workflow: Workflow) -> Workflow:
    """The workflow row re-read under a row lock (PostgreSQL), so concurrent writers queue."""
    statement = select(Workflow).where(Workflow.id == workflow.id).with_for_update()
    return session.exec(statement.execution_options(populate_existing=True)).one()
