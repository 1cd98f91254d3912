"""A long ``foreach`` runs its items in child runs of bounded size, so no history grows
past a few thousand events however long the list is."""

from typing import Any

from interpreter import engine
from interpreter.contract import WORKFLOW_NAME, Checkpoint, RunInput, RunResult
from interpreter.definition import CompiledDefinition, Step
from interpreter.memory import RunMemory, Scope
from interpreter.steps.foreach import Foreach

# Events one child run may spend on items; an action costs about six history events.
EVENTS_PER_CHILD = 2400
EVENTS_PER_STEP = 6


def chunk_size(step: Foreach) -> int:
    """Items per child run, from how many steps one item runs."""
    return max(1, EVENTS_PER_CHILD // (EVENTS_PER_STEP * _count(step.data.do)))


def _count(steps: list[Step]) -> int:
    return sum(1 + sum(_count(child.steps) for child in s.children()) for s in steps)


async def run_in_children(step: Foreach, items: list[Any], scope: Scope, memory: RunMemory) -> list[Any]:
    size = chunk_size(step)
    outputs: list[Any] = []
    batch = engine.uuid4().hex[:8]
    for number, start in enumerate(range(0, len(items), size)):
        part = step.model_copy(
            update={"data": step.data.model_copy(update={"items": "input.items", "index_offset": start}),
                    "if_": None, "timeout": None, "on_error": "fail"}
        )  # fmt: skip
        definition = CompiledDefinition(name=f"{step.id} items {start}+", nodes=[part], entry=[part.id or ""])
        child_input = RunInput(
            run_id=f"{memory.input.run_id}.{step.id}.{batch}.{number}",
            account_id=memory.input.account_id,
            workflow_id=memory.input.workflow_id,
            version=memory.input.version,
            definition=definition,
            event=memory.input.event,
            input={**memory.input.input, "items": items[start : start + size]},
            resume=Checkpoint(
                started_at=memory.started_at,
                outputs=scope.all_outputs(),
                vars=memory.vars,
                ready=[part.id or ""],
            ),
            part_of_run=True,
            action_heartbeat_timeout=memory.input.action_heartbeat_timeout,
        )
        # A failing child raises ChildWorkflowError, which the step's on_error handles.
        result = await engine.execute_child_workflow(
            WORKFLOW_NAME,
            child_input,
            id=f"{engine.workflow_id()}.{step.id}.{batch}.{number}",
            result_type=RunResult,
            static_summary=f"{step.id}: items {start} to {min(start + size, len(items)) - 1}",
        )
        outputs.extend(result.output or [])
    return outputs
