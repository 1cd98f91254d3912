"""``GET /v1/account``: which account the presented API key belongs to."""

from fastapi import APIRouter

from api.deps import AccountDep
from api.models.accounts import AccountPublic

router = APIRouter(tags=["account"])


@router.get("/account")
async def read_account(account: AccountDep) -> AccountPublic:
    """The caller's account: its id (search the Web UI by `RelayAccount`) and name."""
    return AccountPublic(id=account.id, name=account.name)
