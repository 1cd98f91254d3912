"""``/v1/events``: the product reports something happened and matching workflows run; the
event log; replaying an event."""

from typing import Annotated

from fastapi import APIRouter, Query, status

from api.deps import AccountDep, ServicesDep
from api.models.common import IsoDateTime, Page
from api.models.events import (
    MAX_NESTING,
    EventAccepted,
    EventCreate,
    EventDetail,
    EventPublic,
    ReplayAccepted,
    SkippedWorkflow,
    StartedRun,
    nesting,
)
from api.pagination import Cursor, Limit
from relay.core.errors import RelayError
from relay.services.metrics import EVENT_INTAKE_SECONDS, EVENTS_RECEIVED

router = APIRouter(prefix="/events", tags=["events"])


@router.post(
    "",
    status_code=status.HTTP_202_ACCEPTED,
    responses={
        status.HTTP_400_BAD_REQUEST: {"description": "`data` nested deeper than 64"},
        status.HTTP_409_CONFLICT: {"description": "the `id` was used for an event of another name"},
        status.HTTP_503_SERVICE_UNAVAILABLE: {"description": "the database is unavailable"},
    },
)
async def post_event(body: EventCreate, account: AccountDep, services: ServicesDep) -> EventAccepted:
    """Record the event and start every live workflow it triggers (its trigger's `if`, if any,
    must hold). Posting the same `id` again answers the same and starts nothing twice.

    The answer comes once the event is durably recorded: while Temporal is unreachable it is
    `pending: true` and the runs start within a minute of Temporal's return. Data nested deeper
    than 64 answers 400; only a database failure answers 503."""
    if (depth := nesting(body.data)) > MAX_NESTING:
        raise RelayError(f"event data is nested {depth} deep; the limit is {MAX_NESTING}", field="data")
    with EVENT_INTAKE_SECONDS.time():
        intake = await services.events.ingest(
            account_id=account.id, name=body.name, data=body.data, external_id=body.id
        )
    EVENTS_RECEIVED.inc()
    return EventAccepted(
        event_id=intake.event_id,
        runs=intake.runs,
        resumed=intake.resumed,
        pending=intake.pending,
        refused=intake.refused,
        started=[StartedRun(**vars(s)) for s in intake.started],
        skipped=[SkippedWorkflow(**s) for s in intake.skipped],
        matched=bool(intake.runs) or intake.resumed > 0,
    )


@router.get("")
async def list_events(
    account: AccountDep,
    services: ServicesDep,
    name: Annotated[str | None, Query(description="only events of this name")] = None,
    since: Annotated[IsoDateTime | None, Query(description="only events received at or after then")] = None,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> Page[EventPublic]:
    """The events the account posted (or its runs emitted), newest first."""
    rows, next_cursor = await services.events.list_page(
        account_id=account.id, name=name, since=since, limit=limit, cursor=cursor
    )
    return Page(items=[EventPublic.of(row) for row in rows], next_cursor=next_cursor)


@router.get("/{event_id}")
async def read_event(event_id: str, account: AccountDep, services: ServicesDep) -> EventDetail:
    """An event, by Relay's id or yours, with the runs it started and those replays started."""
    found = await services.events.get(account_id=account.id, event_id=event_id)
    return EventDetail(**EventPublic.of(found.event).model_dump(), runs=found.runs, replays=found.replays)


@router.post("/{event_id}/replay", status_code=status.HTTP_202_ACCEPTED)
async def replay(event_id: str, account: AccountDep, services: ServicesDep) -> ReplayAccepted:
    """Run again, on their live versions now, the workflows this event started runs of (after a
    fix, say). Every call is a new replay with new runs; the original runs are untouched."""
    done = await services.events.replay(account_id=account.id, event_id=event_id)
    return ReplayAccepted(event_id=done.event_id, replay=done.replay, runs=done.runs)
