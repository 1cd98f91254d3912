"""Workflows (a draft definition), their frozen versions and publishing."""

from typing import Any

from pydantic import model_validator
from sqlmodel import Field, SQLModel

from api.models.common import STRICT_INPUT, UTCDateTime
from relay.storage.tables import Workflow, WorkflowVersion

SEED = {
    "name": "Approval",
    "trigger": {"event": "crm/lead_status.changed"},
    "actions": [
        {"type": "filter", "data": {"field": "status", "value": "proposal_created"}},
        {"type": "email", "data": {"template": "proposal", "to": "leadEmail"}},
    ],
}


class WorkflowWrite(SQLModel):
    """A draft definition, as ``{"definition": {...}}`` or the definition document itself."""

    definition: dict[str, Any] = Field(
        description="the definition document (list or graph shape)", schema_extra={"examples": [SEED]}
    )

    @model_validator(mode="before")
    @classmethod
    def _bare_document(cls, value: Any) -> Any:
        if isinstance(value, dict) and "definition" not in value:
            return {"definition": value}
        return value


class WorkflowCreate(WorkflowWrite):
    pass


class WorkflowUpdate(WorkflowWrite):
    pass


class WorkflowPublic(SQLModel):
    id: str
    name: str
    definition: dict[str, Any] = Field(description="the draft, as last saved")
    latest_version: int = Field(description="the newest frozen version; 0 before the first")
    live_version: int | None = Field(description="the version events and manual runs use")
    trigger_event: str | None = Field(description="the live version's trigger event")
    archived: bool
    created_at: UTCDateTime
    updated_at: UTCDateTime

    @classmethod
    def of(cls, row: Workflow) -> "WorkflowPublic":
        return cls(**row.model_dump(exclude={"draft", "account_id"}), definition=row.draft)


class DefinitionWarning(SQLModel):
    """Valid, but likely wrong for this account (a template or secret that does not exist)."""

    loc: str = Field(description="where in the definition, as in validation errors")
    node: str | None = Field(description="the step's id")
    message: str


WARNINGS = "what is valid but likely wrong: a missing template or secret, a wait without timeout"


class WorkflowSaved(WorkflowPublic):
    """A workflow as just created or updated, with what its draft likely gets wrong."""

    warnings: list[DefinitionWarning] = Field(default_factory=list, description=WARNINGS)


class VersionSummary(SQLModel):
    version: int
    trigger_event: str | None
    live: bool
    created_at: UTCDateTime

    @classmethod
    def of(cls, row: WorkflowVersion, *, live_version: int | None) -> "VersionSummary":
        return cls(
            version=row.version,
            trigger_event=row.trigger_event,
            live=row.version == live_version,
            created_at=row.created_at,
        )


class VersionPublic(VersionSummary):
    workflow_id: str
    definition: dict[str, Any] = Field(description="the definition as written")
    compiled: dict[str, Any] = Field(description="the validated, normalised graph runs execute")

    @classmethod
    def of(cls, row: WorkflowVersion, *, live_version: int | None) -> "VersionPublic":
        summary = VersionSummary.of(row, live_version=live_version)
        return cls(
            **summary.model_dump(),
            workflow_id=row.workflow_id,
            definition=row.definition,
            compiled=row.compiled,
        )


class VersionCreated(SQLModel):
    version: int
    warnings: list[DefinitionWarning] = Field(default_factory=list, description=WARNINGS)


class Publish(SQLModel):
    model_config = STRICT_INPUT

    version: int = Field(ge=1, description="the version to make live; an older one rolls back")
