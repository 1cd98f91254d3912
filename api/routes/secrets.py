"""``/v1/secrets``: values go in, encrypted; names come out, values never do."""

from typing import Annotated

from fastapi import APIRouter, Path, status

from api.crud import secrets as crud
from api.deps import AccountDep, SecretBoxDep, SessionDep
from api.models.common import Items
from api.models.secrets import SECRET_NAME, SecretPublic, SecretWrite

router = APIRouter(prefix="/secrets", tags=["secrets"])

SecretName = Annotated[
    str, Path(pattern=SECRET_NAME, max_length=100, description="referenced as {{ secrets.NAME }}")
]


@router.put("/{name}")
def put_secret(
    name: SecretName, body: SecretWrite, account: AccountDep, session: SessionDep, box: SecretBoxDep
) -> SecretPublic:
    """Create or replace a secret; actions reach it as `{{ secrets.NAME }}`."""
    secret = crud.put_secret(session, account_id=account.id, name=name, value=body.value, box=box)
    return SecretPublic(name=secret.name, updated_at=secret.updated_at)


@router.get("")
def list_secrets(account: AccountDep, session: SessionDep) -> Items[SecretPublic]:
    rows = crud.list_secrets(session, account_id=account.id)
    return Items(items=[SecretPublic(name=s.name, updated_at=s.updated_at) for s in rows])


@router.get("/{name}")
def read_secret(name: SecretName, account: AccountDep, session: SessionDep) -> SecretPublic:
    """Whether the secret exists and when it changed; never its value."""
    secret = crud.get_secret(session, account_id=account.id, name=name)
    return SecretPublic(name=secret.name, updated_at=secret.updated_at)


@router.delete("/{name}", status_code=status.HTTP_204_NO_CONTENT)
def delete_secret(name: SecretName, account: AccountDep, session: SessionDep) -> None:
    crud.delete_secret(session, account_id=account.id, name=name)
