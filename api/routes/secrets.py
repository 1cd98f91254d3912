"""``/v1/secrets``: values go in, encrypted; names come out, values never do."""

from typing import Annotated

from fastapi import APIRouter, Path, status

from api.deps import AccountDep, ServicesDep
from api.models.common import Items
from api.models.secrets import SECRET_NAME, SecretPublic, SecretWrite

router = APIRouter(prefix="/secrets", tags=["secrets"])

SecretName = Annotated[
    str, Path(pattern=SECRET_NAME, max_length=100, description="referenced as {{ secrets.NAME }}")
]


@router.put("/{name}")
async def put_secret(
    name: SecretName, body: SecretWrite, account: AccountDep, services: ServicesDep
) -> SecretPublic:
    """Create or replace a secret; actions reach it as `{{ secrets.NAME }}`."""
    secret = await services.secrets.put(account_id=account.id, name=name, value=body.value)
    return SecretPublic(name=secret.name, updated_at=secret.updated_at)


@router.get("")
async def list_secrets(account: AccountDep, services: ServicesDep) -> Items[SecretPublic]:
    rows = await services.secrets.list_all(account_id=account.id)
    return Items(items=[SecretPublic(name=s.name, updated_at=s.updated_at) for s in rows])


@router.get("/{name}")
async def read_secret(name: SecretName, account: AccountDep, services: ServicesDep) -> SecretPublic:
    """Whether the secret exists and when it changed; never its value."""
    secret = await services.secrets.get(account_id=account.id, name=name)
    return SecretPublic(name=secret.name, updated_at=secret.updated_at)


@router.delete("/{name}", status_code=status.HTTP_204_NO_CONTENT)
async def delete_secret(name: SecretName, account: AccountDep, services: ServicesDep) -> None:
    await services.secrets.delete(account_id=account.id, name=name)
