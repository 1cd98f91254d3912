"""Email templates, checked for Jinja syntax on save so a typo fails here, not in a run."""

from jinja2 import TemplateSyntaxError
from jinja2.sandbox import SandboxedEnvironment
from sqlalchemy import Engine
from sqlmodel import Session, col, select

from relay.core.errors import Invalid, NotFound
from relay.services.db import in_session
from relay.storage.tables import EmailTemplate, utcnow

_SYNTAX = SandboxedEnvironment()


class TemplateService:
    """An account's named email templates, which the ``email`` action renders."""

    def __init__(self, *, engine: Engine) -> None:
        self.engine = engine

    async def put(
        self, *, account_id: str, name: str, subject: str, text: str, html: str | None
    ) -> EmailTemplate:
        return await in_session(
            self.engine, put_template, account_id=account_id, name=name, subject=subject, text=text, html=html
        )

    async def list_all(self, *, account_id: str) -> list[EmailTemplate]:
        return await in_session(self.engine, list_templates, account_id=account_id)

    async def get(self, *, account_id: str, name: str) -> EmailTemplate:
        return await in_session(self.engine, get_template, account_id=account_id, name=name)

    async def delete(self, *, account_id: str, name: str) -> None:
        await in_session(self.engine, delete_template, account_id=account_id, name=name)


def put_template(
    session: Session, *, account_id: str, name: str, subject: str, text: str, html: str | None
) -> EmailTemplate:
    for field, source in (("subject", subject), ("text", text), ("html", html)):
        if source is not None:
            _check_syntax(field, source)
    template = session.get(EmailTemplate, (account_id, name))
    if template is None:
        template = EmailTemplate(account_id=account_id, name=name, subject=subject, text=text, html=html)
    else:
        template.subject, template.text, template.html = subject, text, html
        template.updated_at = utcnow()
    session.add(template)
    session.commit()
    return template


def list_templates(session: Session, *, account_id: str) -> list[EmailTemplate]:
    statement = (
        select(EmailTemplate).where(EmailTemplate.account_id == account_id).order_by(col(EmailTemplate.name))
    )
    return list(session.exec(statement).all())


def get_template(session: Session, *, account_id: str, name: str) -> EmailTemplate:
    template = session.get(EmailTemplate, (account_id, name))
    if template is None:
        raise NotFound(f"email template {name!r} does not exist")
    return template


def delete_template(session: Session, *, account_id: str, name: str) -> None:
    session.delete(get_template(session, account_id=account_id, name=name))
    session.commit()


def _check_syntax(field: str, source: str) -> None:
    try:
        _SYNTAX.parse(source)
    except TemplateSyntaxError as exc:
        raise Invalid(f"{field}: line {exc.lineno}: {exc.message}", field=field) from None
