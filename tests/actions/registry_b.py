"""Test-only product module B for ``test_registry``: imported, never named, it must not leak."""

from pydantic import BaseModel

from activities import ActionContext, action


class Nothing(BaseModel):
    pass


@action("registry_b", input=Nothing, output=Nothing, description="module B's action")
async def b(data: Nothing, ctx: ActionContext) -> Nothing:
    return data
