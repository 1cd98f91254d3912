"""``GET /v1/actions``: the catalog of actions a definition may use."""

from fastapi import APIRouter

from api.deps import AccountDep, ServicesDep
from api.models.actions import ActionPublic
from api.models.common import Items

router = APIRouter(prefix="/actions", tags=["actions"])


@router.get("")
async def list_actions(_account: AccountDep, services: ServicesDep) -> Items[ActionPublic]:
    """Every registered action with the JSON Schemas of its input (`data`) and output."""
    return Items(items=[ActionPublic.of(spec) for _, spec in sorted(services.actions.items())])
