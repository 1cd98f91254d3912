"""Reading runs from the database (their live state comes from ``relay.services.run_status``)."""

from sqlalchemy import Engine, or_
from sqlmodel import Session, col, select
from sqlmodel.sql.expression import SelectOfScalar

from api import pagination
from relay.core.errors import NotFound
from relay.services.runs import TERMINAL
from relay.storage.tables import Event, Run

# How many unfinished runs a status-filtered list refreshes before it filters.
REFRESH_BEFORE_FILTER = 100


def get_run(engine: Engine, *, account_id: str, run_id: str) -> Run:
    with Session(engine, expire_on_commit=False) as session:
        run = session.get(Run, run_id)
        if run is None or run.account_id != account_id:
            raise NotFound(f"run {run_id!r} does not exist")
        return run


def list_runs(
    engine: Engine,
    *,
    account_id: str,
    workflow_id: str | None,
    status: str | None,
    event_id: str | None,
    limit: int,
    cursor: str | None,
) -> tuple[list[Run], str | None]:
    with Session(engine, expire_on_commit=False) as session:
        statement = _scope(session, account_id=account_id, workflow_id=workflow_id, event_id=event_id)
        if status is not None:
            statement = statement.where(Run.status == status)
        statement = pagination.newest_first(
            statement, created_at=Run.created_at, row_id=Run.id, cursor=cursor, limit=limit
        )
        rows = session.exec(statement).all()
        return pagination.split(rows, limit=limit, key=lambda r: (r.created_at, r.id))


def unfinished_runs(
    engine: Engine, *, account_id: str, workflow_id: str | None, event_id: str | None
) -> list[Run]:
    """The newest unfinished runs in scope: refreshed first so a status filter sees the truth."""
    with Session(engine, expire_on_commit=False) as session:
        statement = _scope(session, account_id=account_id, workflow_id=workflow_id, event_id=event_id)
        statement = (
            statement.where(col(Run.status).not_in(TERMINAL))
            .order_by(col(Run.created_at).desc())
            .limit(REFRESH_BEFORE_FILTER)
        )
        return list(session.exec(statement).all())


def _scope(
    session: Session, *, account_id: str, workflow_id: str | None, event_id: str | None
) -> SelectOfScalar[Run]:
    statement = select(Run).where(Run.account_id == account_id)
    if workflow_id is not None:
        statement = statement.where(Run.workflow_id == workflow_id)
    if event_id is not None:
        # Relay's event id, or the id the product gave the event.
        known = session.exec(
            select(Event.id).where(
                Event.account_id == account_id,
                or_(col(Event.id) == event_id, col(Event.external_id) == event_id),
            )
        ).all()
        statement = statement.where(col(Run.event_id).in_(list(known) or [event_id]))
    return statement
