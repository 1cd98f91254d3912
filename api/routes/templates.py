"""``/v1/email-templates``: the named templates the `email` action renders."""

from typing import Annotated

from fastapi import APIRouter, Path, status

from api.deps import AccountDep, ServicesDep
from api.models.common import Items
from api.models.templates import TEMPLATE_NAME, EmailTemplatePublic, EmailTemplateWrite
from api.openapi import checked_beyond_schema

router = APIRouter(prefix="/email-templates", tags=["email templates"])

TemplateName = Annotated[str, Path(pattern=TEMPLATE_NAME, max_length=100)]


@router.put("/{name}", responses=checked_beyond_schema("a template is not valid Jinja (line and message)"))
async def put_template(
    name: TemplateName, body: EmailTemplateWrite, account: AccountDep, services: ServicesDep
) -> EmailTemplatePublic:
    """Create or replace a template (Jinja syntax checked now)."""
    row = await services.templates.put(
        account_id=account.id, name=name, subject=body.subject, text=body.text, html=body.html
    )
    return EmailTemplatePublic.model_validate(row, from_attributes=True)


@router.get("")
async def list_templates(account: AccountDep, services: ServicesDep) -> Items[EmailTemplatePublic]:
    rows = await services.templates.list_all(account_id=account.id)
    return Items(items=[EmailTemplatePublic.model_validate(r, from_attributes=True) for r in rows])


@router.get("/{name}")
async def read_template(
    name: TemplateName, account: AccountDep, services: ServicesDep
) -> EmailTemplatePublic:
    row = await services.templates.get(account_id=account.id, name=name)
    return EmailTemplatePublic.model_validate(row, from_attributes=True)


@router.delete("/{name}", status_code=status.HTTP_204_NO_CONTENT)
async def delete_template(name: TemplateName, account: AccountDep, services: ServicesDep) -> None:
    await services.templates.delete(account_id=account.id, name=name)
