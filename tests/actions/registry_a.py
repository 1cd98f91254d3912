"""Test-only product module A for ``test_registry``."""

from pydantic import BaseModel

from activities import ActionContext, action


class Nothing(BaseModel):
    pass


@action("registry_a", input=Nothing, output=Nothing, description="module A's action")
async def a(data: Nothing, ctx: ActionContext) -> Nothing:
    return data
