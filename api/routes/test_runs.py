"""``POST /v1/workflows/{id}/test``: run a workflow with every action mocked, before publishing."""

from fastapi import APIRouter

from api.deps import AccountDep, ServicesDep
from api.models.test_runs import TestEvent as EventBody
from api.models.test_runs import TestRunCreate, TestRunPublic
from api.openapi import checked_beyond_schema
from relay.services.test_runs import TestEvent

router = APIRouter(prefix="/workflows/{workflow_id}", tags=["test runs"])


def _event(body: EventBody) -> TestEvent:
    return TestEvent(name=body.name, data=body.data, id=body.id)


@router.post(
    "/test",
    responses=checked_beyond_schema(
        "the inline `definition` (or the draft) is not valid, a `mocks` key names no action step"
    ),
)
async def test_workflow(
    workflow_id: str, body: TestRunCreate, account: AccountDep, services: ServicesDep
) -> TestRunPublic:
    """Run the draft (or `version`, or an inline `definition`) through the real interpreter:
    every action answers from `mocks` (else null) and touches nothing outside, sleeps take no
    time, `wait_for_event` takes the first matching event of `events` or times out at once.
    Nothing is recorded: no run, no event, no webhook. Answers with every step's rendered
    data, output, error and status (`skipped` where a branch was not taken)."""
    result = await services.test_runs.run(
        account_id=account.id,
        workflow_id=workflow_id,
        definition=body.definition,
        version=body.version,
        event=_event(body.event) if body.event else None,
        input=body.input,
        mocks=body.mocks,
        events=[_event(e) for e in body.events],
    )
    return TestRunPublic.of(result)
