"""What a run remembers: step views for the progress query, outputs and variables."""

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from interpreter.contract import EventPayload, RunInput, StepStatus, StepView


@dataclass
class Scope:
    """What expressions see. A foreach iteration gets its own scope over the run's."""

    outputs: dict[str, Any]
    parent: "Scope | None" = None
    item: Any = None
    index: int | None = None
    # The ``foreach`` step whose item this scope is, for the item's row ``<id>[<index>]``.
    of: str | None = None

    def all_outputs(self) -> dict[str, Any]:
        inherited = self.parent.all_outputs() if self.parent else {}
        return {**inherited, **self.outputs}

    def child(self, item: Any, index: int, *, of: str | None = None) -> "Scope":
        return Scope(outputs={}, parent=self, item=item, index=index, of=of)

    def item_index(self) -> int | None:
        """The index of the innermost ``foreach`` item (steps under a branch or parallel inside
        the iteration share its scope chain); None outside any foreach."""
        current: Scope | None = self
        while current is not None:
            if current.index is not None:
                return current.index
            current = current.parent
        return None

    def item_row(self) -> str | None:
        """``<id>[<index>]`` of the outermost ``foreach`` item: only the outermost is tracked
        (its iterations run untracked), so that is the row a step inside it reports to."""
        row = None
        current: Scope | None = self
        while current is not None:
            if current.index is not None and current.of is not None:
                row = f"{current.of}[{current.index}]"
            current = current.parent
        return row


@dataclass
class RunMemory:
    """One run's input, variables, step views and outputs (carried across continue-as-new)."""

    input: RunInput
    started_at: datetime
    vars: dict[str, Any] = field(default_factory=dict)
    views: dict[str, StepView] = field(default_factory=dict)
    root: Scope = field(default_factory=lambda: Scope(outputs={}))
    # Whether actions get step-naming activity ids in this execution, and how many were
    # scheduled so far, which numbers them (``interpreter.summaries``).
    step_activity_ids: bool = False
    activities: int = 0

    @property
    def event(self) -> EventPayload | None:
        return self.input.event

    def context(self, scope: Scope) -> dict[str, Any]:
        """The expression context: ``event``, ``input``, ``steps``, ``vars``, ``run``
        (and ``item``/``index`` in a foreach iteration)."""
        event = self.input.event.model_dump(mode="json") if self.input.event else {}
        ctx: dict[str, Any] = {
            "event": event,
            "input": self.input.input,
            "steps": {k: {"output": v} for k, v in scope.all_outputs().items()},
            "vars": self.vars,
            "run": {
                "id": self.input.run_id,
                "workflow_id": self.input.workflow_id,
                "version": self.input.version,
                "started_at": self.started_at.isoformat(),
            },
        }
        if scope.index is not None:
            ctx["item"] = scope.item
            ctx["index"] = scope.index
        return ctx

    def view(self, step_id: str, step_type: str) -> StepView:
        if step_id not in self.views:
            self.views[step_id] = StepView(id=step_id, type=step_type)
        return self.views[step_id]

    def mark(self, step_id: str, step_type: str, status: StepStatus, now: datetime, **changes: Any) -> None:
        view = self.view(step_id, step_type)
        view.status = status
        if status in ("running", "waiting") and view.started_at is None:
            view.started_at = now
        if status in ("completed", "failed", "skipped", "cancelled"):
            view.ended_at = now
        for key, value in changes.items():
            setattr(view, key, value)
