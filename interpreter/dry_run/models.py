"""What a test run takes and answers."""

from typing import Any

from pydantic import BaseModel, Field, model_validator

from interpreter.contract import EventPayload, RunStatus, StepStatus
from interpreter.definition import CompiledDefinition


class MockError(BaseModel, extra="forbid"):
    """The error a mocked action fails with, as the action itself would raise it."""

    type: str = Field(
        min_length=1, description="the error's type, as in `on_error` and `non_retryable_errors`"
    )
    message: str = ""
    non_retryable: bool = Field(False, description="fail at once, whatever the step's retry policy says")


class Mock(BaseModel, extra="forbid"):
    """What an action step answers in a test run: an ``output``, or an ``error``."""

    output: Any = None
    error: MockError | None = None

    @model_validator(mode="before")
    @classmethod
    def _one_of(cls, value: Any) -> Any:
        if isinstance(value, dict) and "output" in value and value.get("error") is not None:
            raise ValueError("give either 'output' or 'error', not both")
        return value


class LiveTarget(BaseModel):
    """A workflow an ``invoke`` step may run: its live version, or why it cannot be run."""

    workflow_id: str = ""
    version: int = 0
    definition: CompiledDefinition | None = None
    problem: str | None = None


class DryRunRequest(BaseModel):
    account_id: str
    workflow_id: str
    version: int = 0
    definition: CompiledDefinition
    event: EventPayload | None = None
    input: dict[str, Any] = Field(default_factory=dict)
    mocks: dict[str, Mock] = Field(default_factory=dict)
    events: list[EventPayload] = Field(default_factory=list)
    # What ``invoke`` steps name (a workflow id or name), looked up before the run.
    targets: dict[str, LiveTarget] = Field(default_factory=dict)
    # Wall-clock bound of the whole test run, in seconds.
    deadline: float = 20.0


class DryRunStep(BaseModel):
    id: str
    type: str
    status: StepStatus
    data: Any = None
    output: Any = None
    error: str | None = None
    attempts: int = 0


class DryRunResult(BaseModel):
    status: RunStatus
    output: Any = None
    error: str | None = None
    steps: list[DryRunStep] = Field(default_factory=list)
