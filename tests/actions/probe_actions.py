"""A product action that reports what its context lets it reach (``test_context_narrow``)."""

from pydantic import BaseModel

from activities import ActionContext, RetryDefaults, action
from tests.actions.reach import paths_to


class ProbeIn(BaseModel):
    secret_names: list[str] = []


class ProbeOut(BaseModel):
    fields: list[str]
    forbidden: list[str]
    ids: dict[str, str | int | None]
    idempotency_key: str
    visible_secrets: dict[str, bool]


@action(
    "probe_context",
    input=ProbeIn,
    output=ProbeOut,
    description="reports what its context reaches",
    retry=RetryDefaults(max_attempts=1),
)
async def probe_context(data: ProbeIn, ctx: ActionContext) -> ProbeOut:
    ctx.log.info("probing")
    return ProbeOut(
        fields=sorted(name for name in dir(ctx) if not name.startswith("_")),
        forbidden=paths_to(ctx),
        ids={
            "account_id": ctx.account_id,
            "workflow_id": ctx.workflow_id,
            "run_id": ctx.run_id,
            "step_id": ctx.step_id,
            "attempt": ctx.attempt,
            "item_index": ctx.item_index,
        },
        idempotency_key=ctx.idempotency_key,
        visible_secrets={name: name in ctx.secrets for name in data.secret_names},
    )
