"""``POST /v1/events``: the product reports something happened; matching workflows run."""

from fastapi import APIRouter, status

from api.deps import AccountDep, EngineDep, SettingsDep, TemporalDep
from api.models.events import EventAccepted, EventCreate
from relay.intake import ingest

router = APIRouter(prefix="/events", tags=["events"])


@router.post("", status_code=status.HTTP_202_ACCEPTED)
async def post_event(
    body: EventCreate, account: AccountDep, engine: EngineDep, client: TemporalDep, settings: SettingsDep
) -> EventAccepted:
    """Record the event and start every live workflow it triggers. Posting the same `id`
    again answers the same and starts nothing twice."""
    intake = await ingest(
        engine,
        client,
        settings,
        account_id=account.id,
        name=body.name,
        data=body.data,
        external_id=body.id,
    )
    return EventAccepted(event_id=intake.event_id, runs=intake.runs, resumed=intake.resumed)
