"""The caller's account as the API shows it."""

from sqlmodel import Field, SQLModel


class AccountPublic(SQLModel):
    id: str = Field(description="the account id: `RelayAccount` in the Temporal Web UI")
    name: str
