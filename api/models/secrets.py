"""Secrets: written by value, listed by name only."""

from sqlmodel import Field, SQLModel

from api.models.common import STRICT_INPUT, UTCDateTime

SECRET_NAME = r"^[A-Za-z_][A-Za-z0-9_]*$"


class SecretWrite(SQLModel):
    model_config = STRICT_INPUT

    value: str = Field(min_length=1, description="stored encrypted; never returned")


class SecretPublic(SQLModel):
    name: str
    updated_at: UTCDateTime
