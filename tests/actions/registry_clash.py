"""Test-only product module declaring module A's action name again (``test_registry``)."""

from activities import ActionContext, action
from tests.actions.registry_a import Nothing


@action("registry_a", input=Nothing, output=Nothing, description="clashes with module A's")
async def a_again(data: Nothing, ctx: ActionContext) -> Nothing:
    return data
