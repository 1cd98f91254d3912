"""The event log: what the product posted, newest first, with the runs each event started."""

from datetime import UTC, datetime

from sqlalchemy import Engine, or_
from sqlmodel import Session, col, select

from api import pagination
from relay.core.errors import NotFound
from relay.services.replay import replay_runs
from relay.storage.tables import Event, Run


def list_events(
    engine: Engine,
    *,
    account_id: str,
    name: str | None,
    since: datetime | None,
    limit: int,
    cursor: str | None,
) -> tuple[list[Event], str | None]:
    with Session(engine, expire_on_commit=False) as session:
        statement = select(Event).where(Event.account_id == account_id)
        if name is not None:
            statement = statement.where(Event.name == name)
        if since is not None:
            statement = statement.where(col(Event.received_at) >= _stored(since))
        statement = pagination.newest_first(
            statement, created_at=Event.received_at, row_id=Event.id, cursor=cursor, limit=limit
        )
        rows = session.exec(statement).all()
        return pagination.split(rows, limit=limit, key=lambda e: (e.received_at, e.id))


def get_event(engine: Engine, *, account_id: str, event_id: str) -> Event:
    """The account's event, by Relay's id or by the id the product gave it."""
    with Session(engine, expire_on_commit=False) as session:
        event = session.exec(
            select(Event).where(
                Event.account_id == account_id,
                or_(col(Event.id) == event_id, col(Event.external_id) == event_id),
            )
        ).first()
        if event is None:
            raise NotFound(f"event {event_id!r} does not exist")
        return event


def event_runs(engine: Engine, *, event: Event) -> tuple[list[str], list[str]]:
    """Ids of the runs the event started, and of those its replays started."""
    with Session(engine) as session:
        started = session.exec(select(Run.id).where(Run.event_id == event.id).order_by(col(Run.id))).all()
        return list(started), [run.id for run in replay_runs(session, event=event)]


def _stored(moment: datetime) -> datetime:
    # A ``since`` without an offset is read as UTC, as every stored time is.
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
