"""The action catalog a product UI renders forms from."""

from typing import Any

from sqlmodel import Field, SQLModel

from activities.registry import ActionSpec


class RetryPublic(SQLModel):
    max_attempts: int
    initial_interval_seconds: float
    backoff: float
    max_interval_seconds: float


class ActionPublic(SQLModel):
    name: str
    description: str
    input_schema: dict[str, Any] = Field(description="JSON Schema of the step's `data`")
    output_schema: dict[str, Any] = Field(description="JSON Schema of `steps.<id>.output`")
    defaults: dict[str, Any] = Field(description="data a step gets unless it says otherwise")
    event_fields: list[str] = Field(description="fields where a bare name reads `event.data[name]`")
    timeout_seconds: float
    retry: RetryPublic

    @classmethod
    def of(cls, spec: ActionSpec) -> "ActionPublic":
        return cls(
            name=spec.name,
            description=spec.description,
            input_schema=spec.input_model.model_json_schema(),
            output_schema=spec.output_model.model_json_schema(),
            defaults=spec.defaults,
            event_fields=list(spec.event_fields),
            timeout_seconds=spec.timeout.total_seconds(),
            retry=RetryPublic(
                max_attempts=spec.retry.max_attempts,
                initial_interval_seconds=spec.retry.initial_interval.total_seconds(),
                backoff=spec.retry.backoff,
                max_interval_seconds=spec.retry.max_interval.total_seconds(),
            ),
        )
