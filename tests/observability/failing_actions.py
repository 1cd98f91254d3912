"""A product action module for the log tests: an action that fails with an unexpected error
whose message quotes the account's secret (careless product code)."""

from pydantic import BaseModel

from activities.context import ActionContext
from activities.registry import action


class ExplodeIn(BaseModel):
    secret: str


class ExplodeOut(BaseModel):
    never: bool = True


@action(
    "test_explode", input=ExplodeIn, output=ExplodeOut, description="Raise a RuntimeError quoting a secret"
)
async def explode(data: ExplodeIn, ctx: ActionContext) -> ExplodeOut:
    raise RuntimeError(f"could not use token {ctx.secret(data.secret)}")
