"""What changed between two versions (``GET /v1/workflows/{id}/versions/{n}/diff?against=m``)."""

from typing import Any, Literal

from sqlmodel import Field, SQLModel


class Change(SQLModel):
    path: str = Field(
        description="what changed: `data.template`, `retry.max_attempts`, `if`, `on_error`, `type`; "
        "`in` (the sub-list the step sits in: `top` or `<step id>.<then|else|do|b1…>`) or `next` "
        "(where it leads: its outgoing edges `[{target, if?}]`, or the step after it in a sub-list)"
    )
    before: Any = Field(None, description="the value in version `against`; null where it had none")
    after: Any = Field(None, description="the value in `version`; null where it has none")


class StepChange(SQLModel):
    id: str
    type: str = Field(description="the step's type in `version` (in `against` for a removed step)")
    change: Literal["added", "removed", "changed"]
    changes: list[Change] = Field(description="for a changed step, each difference; empty otherwise")


class VersionDiff(SQLModel):
    workflow_id: str
    version: int
    against: int
    changed: bool = Field(description="false when the two versions run the same")
    steps: list[StepChange] = Field(
        description="steps added, removed or changed, in `version`'s order, then the removed ones"
    )
    workflow: list[Change] = Field(
        description="the workflow's own settings that changed: `name`, `trigger.event`, `entry`, …"
    )
