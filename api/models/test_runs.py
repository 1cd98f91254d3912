"""Test runs: a workflow run with every action mocked, answered at once with its trace."""

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

from interpreter.contract import RunStatus, StepStatus
from interpreter.dry_run import DryRunResult, Mock


class TestEvent(BaseModel):
    """Shaped like a ``POST /v1/events`` body."""

    model_config = ConfigDict(extra="forbid")

    __test__ = False

    name: str = Field(min_length=1, max_length=200)
    data: dict[str, Any] = Field(default_factory=dict)
    id: str | None = Field(None, min_length=1, max_length=200)


class TestRunCreate(BaseModel):
    """What to run (the draft unless ``definition`` or ``version`` says otherwise) and how the
    outside world answers."""

    __test__ = False
    # A misspelt field ("mock") is refused, not silently ignored.
    model_config = ConfigDict(extra="forbid")

    definition: dict[str, Any] | None = Field(None, description="a definition to test instead of the draft")
    version: int | None = Field(None, ge=1, description="a frozen version to test instead of the draft")
    event: TestEvent | None = Field(None, description="the triggering event")
    input: dict[str, Any] = Field(default_factory=dict, description="the run's input, as in a manual run")
    mocks: dict[str, Mock] = Field(
        default_factory=dict,
        description='by action step id: `{"output": ...}` or `{"error": {"type", "message"}}`; '
        "an action without a mock outputs null. A step of an invoked workflow: `<invoke step id>.<step id>`",
    )
    events: list[TestEvent] = Field(
        default_factory=list, description="what `wait_for_event` steps receive: the first that matches"
    )

    @model_validator(mode="after")
    def _one_source(self) -> "TestRunCreate":
        if self.definition is not None and self.version is not None:
            raise ValueError("give either 'definition' or 'version', not both")
        return self


class TestRunStep(BaseModel):
    __test__ = False

    id: str = Field(description="the step's id; `<invoke step id>.<step id>` inside an invoked run")
    type: str
    status: StepStatus = Field(description="`skipped` for a step that never ran (an untaken branch)")
    data: Any = Field(None, description="the step's data, rendered; secrets shown as `[secret NAME]`")
    output: Any = None
    error: str | None = None
    attempts: int = Field(0, description="the attempts an action made, as its retry policy would")


class TestRunPublic(BaseModel):
    __test__ = False

    status: RunStatus
    output: Any = None
    error: str | None = None
    steps: list[TestRunStep]

    @classmethod
    def of(cls, result: DryRunResult) -> "TestRunPublic":
        return cls(
            status=result.status,
            output=result.output,
            error=result.error,
            steps=[TestRunStep(**step.model_dump()) for step in result.steps],
        )
