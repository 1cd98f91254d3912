"""The engine seam: the workflow code real runs use is what a test run drives, with every
Temporal call behind ``interpreter.engine``. No server, no database: ``run_dry`` alone."""

import ast
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from activities.registry import load_actions
from interpreter.compile import compile_definition
from interpreter.contract import EventPayload
from interpreter.definition import CompiledDefinition
from interpreter.dry_run import DryRunRequest, DryRunResult, LiveTarget, run_dry

# What ``interpreter.workflow`` may use of ``temporalio.workflow``: declarations, not calls.
DECLARATIONS = {"defn", "run", "query", "signal", "unsafe"}
ROOT = Path(__file__).parents[2]
LIST_MODULES = """
import sys, interpreter.workflow
for name, module in sorted(sys.modules.items()):
    if name.startswith("interpreter.") and getattr(module, "__file__", None):
        print(f"{name}={module.__file__}")
"""


def test_nothing_the_run_loads_calls_temporal_but_the_seam() -> None:
    # The interpreter modules ``RelayRun`` loads, in a fresh interpreter.
    listed = subprocess.run(
        [sys.executable, "-c", LIST_MODULES], check=True, capture_output=True, text=True, cwd=ROOT
    ).stdout.split()
    assert len(listed) > 20
    offenders = []
    for name, path in (line.split("=", 1) for line in listed):
        if name == "interpreter.engine":
            continue
        tree = ast.parse(Path(path).read_text())
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Attribute)
                and isinstance(node.value, ast.Name)
                and node.value.id == "workflow"
                and node.attr not in DECLARATIONS
            ):
                offenders.append(f"{name}:{node.lineno} workflow.{node.attr}")
    assert offenders == [], "call interpreter.engine instead of temporalio.workflow"


def compiled(document: dict[str, Any]) -> CompiledDefinition:
    return CompiledDefinition.model_validate(compile_definition(document, load_actions([])).definition)


async def dry(document: dict[str, Any], **request: Any) -> DryRunResult:
    return await run_dry(
        DryRunRequest(account_id="acct", workflow_id="wf", definition=compiled(document), **request)
    )


async def test_every_flow_kind_runs_on_the_dry_engine() -> None:
    document = {
        "name": "Kinds",
        "actions": [
            {"id": "vars", "type": "set", "data": {"who": "{{ event.data.who }}"}},
            {"id": "both", "type": "parallel", "data": {"branches": [
                [{"id": "left", "type": "log", "data": {"message": "L"}}],
                [{"id": "right", "type": "http_request", "data": {"method": "GET", "url": "https://r.test"}}],
            ]}},
            {"id": "later", "type": "sleep", "data": {"until": "{{ $millis() + 3600000 }}"}},
            {"id": "each", "type": "foreach", "data": {"items": "[1, 2, 3]", "concurrency": 2,
                                                          "do": [{"type": "set", "data": {"last": "{{ item }}"}}]}},
            {"id": "oops", "type": "fail", "data": {"message": "no {{ vars.who }}"}, "on_error": "continue"},
            {"id": "child", "type": "invoke", "data": {"workflow": "other"}},
            {"id": "end", "type": "return", "data": {"output": "{{ [vars.who, steps.child.output.output] }}"}},
            {"id": "never", "type": "log", "data": {"message": "not reached"}},
        ],
    }  # fmt: skip
    other = compiled({"name": "Other", "actions": [{"type": "return", "data": {"output": "from other"}}]})
    result = await dry(
        document,
        event=EventPayload(id="e", name="x", data={"who": "ada"}),
        mocks={"right": {"output": {"status": 204}}},
        targets={"other": LiveTarget(workflow_id="other", version=3, definition=other)},
    )
    steps = {s.id: s for s in result.steps}
    assert (result.status, result.output) == ("completed", ["ada", "from other"])
    assert steps["both"].output == [None, {"status": 204}]
    assert steps["oops"].status == "failed" and steps["oops"].error == "no ada"
    assert steps["never"].status == "skipped"
    assert [s.id for s in result.steps if s.id.startswith("child.")] == ["child.return_1"]


async def test_invoke_of_a_missing_workflow_fails_as_a_real_run_does() -> None:
    document = {"name": "P", "actions": [{"id": "call", "type": "invoke", "data": {"workflow": "ghost"}}]}
    result = await dry(document, targets={"ghost": LiveTarget(problem="invoke: no workflow 'ghost'")})
    assert result.status == "failed"
    assert result.steps[0].error == "InvokeTarget: invoke: no workflow 'ghost'"


async def test_a_workflow_invoking_itself_is_stopped() -> None:
    document = {"name": "Loop", "actions": [{"id": "again", "type": "invoke", "data": {"workflow": "loop"}}]}
    result = await dry(
        document, targets={"loop": LiveTarget(workflow_id="loop", version=1, definition=compiled(document))}
    )
    assert result.status == "failed"
    assert "nested deeper than" in str(result.error)


@pytest.mark.parametrize("nodes", [10, 50])
async def test_large_graphs_answer_quickly(nodes: int) -> None:
    chain = [
        {"id": f"s{i}", "type": "log", "data": {"message": "{{ $string(" + str(i) + ") }}"}}
        for i in range(nodes)
    ]
    result = await dry({"name": "Big", "actions": chain})
    assert result.status == "completed"
    assert [s.data for s in result.steps][-1] == {"message": str(nodes - 1)}


async def test_a_long_foreach_runs_its_slices_as_the_real_run_does() -> None:
    document = {
        "name": "Long",
        "actions": [
            {"id": "each", "type": "foreach", "data": {"items": "[0..899]",
                                                       "do": [{"id": "act", "type": "log", "data": {"message": "x"}}]}},
            {"id": "end", "type": "return", "data": {"output": "{{ $count(steps.each.output) }}"}},
        ],
    }  # fmt: skip
    result = await dry(document, mocks={"act": {"output": 1}})
    assert (result.status, result.output) == ("completed", 900)
    assert [s.id for s in result.steps] == ["each", "end"]


async def test_an_invoke_nobody_waits_for_is_still_traced() -> None:
    document = {
        "name": "P",
        "actions": [{"id": "fire", "type": "invoke", "data": {"workflow": "c", "wait": False}}],
    }
    child = compiled({"name": "C", "actions": [
        {"type": "sleep", "data": {"duration": "1h"}}, {"id": "ping", "type": "log", "data": {"message": "late"}}]})  # fmt: skip
    result = await dry(document, targets={"c": LiveTarget(workflow_id="c", version=1, definition=child)})
    steps = {s.id: s for s in result.steps}
    assert result.status == "completed"
    assert steps["fire.ping"].status == "completed"
