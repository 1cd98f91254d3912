"""The definition language as pydantic models: a discriminated union of step types.

Flow types (filter, sleep, wait_for_event, branch, parallel, foreach, set, invoke,
return, fail) run inside the workflow; every other ``type`` names a registered action.
"""

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Discriminator, Field, Tag, model_validator

ID_PATTERN = r"^[A-Za-z_][A-Za-z0-9_]*$"
FLOW_TYPES = frozenset(
    {"filter", "sleep", "wait_for_event", "branch", "parallel", "foreach", "set", "invoke",
     "return", "fail"}
)  # fmt: skip
TRIGGER = "$trigger"


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)


class Retry(Strict):
    max_attempts: int | None = Field(None, ge=1, le=1000)
    initial_interval: str | None = None
    backoff: float | None = Field(None, ge=1)
    max_interval: str | None = None
    non_retryable_errors: list[str] = Field(default_factory=list)


class Position(BaseModel):
    x: float = 0
    y: float = 0


class StepBase(Strict):
    """What every action and node may carry besides its type and data."""

    id: str | None = Field(None, pattern=ID_PATTERN)
    if_: str | None = Field(None, alias="if")
    retry: Retry | None = None
    timeout: str | None = None
    # Actions that run long must heartbeat within this; None for quick actions.
    heartbeat: str | None = None
    on_error: str = "fail"
    position: Position | None = None
    name: str | None = None


class FilterData(Strict):
    field: str | None = None
    value: Any = None
    if_: str | None = Field(None, alias="if")

    @model_validator(mode="after")
    def _one_form(self) -> "FilterData":
        if (self.field is None) == (self.if_ is None):
            raise ValueError("filter takes either {field, value} or {if}")
        return self


class Filter(StepBase):
    type: Literal["filter"]
    data: FilterData


class SleepData(Strict):
    duration: str | None = None
    until: str | None = None

    @model_validator(mode="after")
    def _one_form(self) -> "SleepData":
        if (self.duration is None) == (self.until is None):
            raise ValueError("sleep takes either duration or until")
        return self


class Sleep(StepBase):
    type: Literal["sleep"]
    data: SleepData


class WaitData(Strict):
    event: str = Field(min_length=1)
    match: str | None = None
    if_: str | None = Field(None, alias="if")
    timeout: str | None = None


class WaitForEvent(StepBase):
    type: Literal["wait_for_event"]
    data: WaitData


class BranchData(Strict):
    if_: str = Field(alias="if")
    then: list["Step"] = Field(default_factory=list)
    else_: list["Step"] = Field(default_factory=list, alias="else")


class Branch(StepBase):
    type: Literal["branch"]
    data: BranchData


class ParallelData(Strict):
    branches: list[list["Step"]] = Field(min_length=1)


class Parallel(StepBase):
    type: Literal["parallel"]
    data: ParallelData


class ForeachData(Strict):
    items: str
    do: list["Step"] = Field(min_length=1)
    concurrency: int = Field(1, ge=1, le=100)
    # Index of the first item: set when a long list is split across child runs.
    index_offset: int = Field(0, ge=0)


class Foreach(StepBase):
    type: Literal["foreach"]
    data: ForeachData


class SetVars(StepBase):
    type: Literal["set"]
    data: dict[str, Any] = Field(min_length=1)


class InvokeData(Strict):
    workflow: str = Field(min_length=1)
    input: Any = None
    wait: bool = True


class Invoke(StepBase):
    type: Literal["invoke"]
    data: InvokeData


class ReturnData(Strict):
    output: Any = None


class Return(StepBase):
    type: Literal["return"]
    data: ReturnData = Field(default_factory=ReturnData)


class FailData(Strict):
    message: str = "failed"


class Fail(StepBase):
    type: Literal["fail"]
    data: FailData = Field(default_factory=FailData)


class ActionStep(StepBase):
    """A registered action; its data is checked against the action's input model at save time."""

    type: str = Field(min_length=1)
    data: dict[str, Any] = Field(default_factory=dict)


def _step_tag(value: Any) -> str:
    kind = value.get("type") if isinstance(value, dict) else getattr(value, "type", None)
    return kind if kind in FLOW_TYPES else "action"


Step = Annotated[
    Annotated[Filter, Tag("filter")]
    | Annotated[Sleep, Tag("sleep")]
    | Annotated[WaitForEvent, Tag("wait_for_event")]
    | Annotated[Branch, Tag("branch")]
    | Annotated[Parallel, Tag("parallel")]
    | Annotated[Foreach, Tag("foreach")]
    | Annotated[SetVars, Tag("set")]
    | Annotated[Invoke, Tag("invoke")]
    | Annotated[Return, Tag("return")]
    | Annotated[Fail, Tag("fail")]
    | Annotated[ActionStep, Tag("action")],
    Discriminator(_step_tag),
]


class Edge(Strict):
    source: str
    target: str
    if_: str | None = Field(None, alias="if")


class Trigger(Strict):
    event: str | None = None
    if_: str | None = Field(None, alias="if")


class CancelOn(Strict):
    event: str = Field(min_length=1)
    match: str | None = None


class Definition(Strict):
    """A workflow as its author wrote it: the list shape (``actions``) or the graph shape."""

    name: str = Field(min_length=1, max_length=200)
    description: str | None = None
    trigger: Trigger = Field(default_factory=Trigger)
    actions: list[Step] | None = None
    nodes: list[Step] | None = None
    edges: list[Edge] = Field(default_factory=list)
    cancel_on: list[CancelOn] = Field(default_factory=list)

    @model_validator(mode="after")
    def _one_shape(self) -> "Definition":
        if (self.actions is None) == (self.nodes is None):
            raise ValueError("a definition has either 'actions' (list) or 'nodes' and 'edges'")
        if self.actions is not None and self.edges:
            raise ValueError("'edges' belong to the graph shape ('nodes'), not to 'actions'")
        return self


class CompiledDefinition(Strict):
    """The normalised graph the workflow runs: every step has an id, edges are explicit,
    action defaults are filled in. Frozen with each version."""

    name: str
    trigger: Trigger = Field(default_factory=Trigger)
    nodes: list[Step]
    edges: list[Edge] = Field(default_factory=list)
    entry: list[str]
    cancel_on: list[CancelOn] = Field(default_factory=list)


for _model in (BranchData, ParallelData, ForeachData, Definition, CompiledDefinition):
    _model.model_rebuild()
