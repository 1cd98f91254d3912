"""Email templates: Jinja (sandboxed) subject, text and optional HTML bodies."""

from sqlmodel import Field, SQLModel

from api.models.common import STRICT_INPUT, Text, UTCDateTime

TEMPLATE_NAME = r"^[A-Za-z0-9_.-]+$"


class EmailTemplateBase(SQLModel):
    subject: Text = Field(min_length=1, schema_extra={"examples": ["A proposal for {{ company }}"]})
    text: Text = Field(min_length=1)
    html: Text | None = None


class EmailTemplateWrite(EmailTemplateBase):
    model_config = STRICT_INPUT


class EmailTemplatePublic(EmailTemplateBase):
    name: str
    updated_at: UTCDateTime
