"""``/v1/email-templates``: the named templates the `email` action renders."""

from typing import Annotated

from fastapi import APIRouter, Path, status

from api.crud import templates as crud
from api.deps import AccountDep, SessionDep
from api.models.common import Items
from api.models.templates import TEMPLATE_NAME, EmailTemplatePublic, EmailTemplateWrite

router = APIRouter(prefix="/email-templates", tags=["email templates"])

TemplateName = Annotated[str, Path(pattern=TEMPLATE_NAME, max_length=100)]


@router.put("/{name}")
def put_template(
    name: TemplateName, body: EmailTemplateWrite, account: AccountDep, session: SessionDep
) -> EmailTemplatePublic:
    """Create or replace a template (Jinja syntax checked now)."""
    row = crud.put_template(
        session, account_id=account.id, name=name, subject=body.subject, text=body.text, html=body.html
    )
    return EmailTemplatePublic.model_validate(row, from_attributes=True)


@router.get("")
def list_templates(account: AccountDep, session: SessionDep) -> Items[EmailTemplatePublic]:
    rows = crud.list_templates(session, account_id=account.id)
    return Items(items=[EmailTemplatePublic.model_validate(r, from_attributes=True) for r in rows])


@router.get("/{name}")
def read_template(name: TemplateName, account: AccountDep, session: SessionDep) -> EmailTemplatePublic:
    row = crud.get_template(session, account_id=account.id, name=name)
    return EmailTemplatePublic.model_validate(row, from_attributes=True)


@router.delete("/{name}", status_code=status.HTTP_204_NO_CONTENT)
def delete_template(name: TemplateName, account: AccountDep, session: SessionDep) -> None:
    crud.delete_template(session, account_id=account.id, name=name)
