"""Email templates: Jinja (sandboxed) subject, text and optional HTML bodies."""

from sqlmodel import Field, SQLModel

from api.models.common import UTCDateTime

TEMPLATE_NAME = r"^[A-Za-z0-9_.-]+$"


class EmailTemplateBase(SQLModel):
    subject: str = Field(min_length=1, schema_extra={"examples": ["A proposal for {{ company }}"]})
    text: str = Field(min_length=1)
    html: str | None = None


class EmailTemplateWrite(EmailTemplateBase):
    pass


class EmailTemplatePublic(EmailTemplateBase):
    name: str
    updated_at: UTCDateTime
