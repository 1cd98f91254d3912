"""``invoke`` runs another published workflow of the same account as a child run."""

from typing import Any

from sqlalchemy import Engine
from sqlmodel import Session
from temporalio.client import WorkflowFailureError

from activities.registry import load_actions
from interpreter.compile import compile_definition
from relay.storage.tables import Account, Run, Workflow, WorkflowVersion
from tests.interpreter.conftest import ECHO_MODULE, Runner


def save_published(
    engine: Engine, *, workflow_id: str, name: str, document: dict[str, Any], live: bool = True
) -> None:
    """Store ``document`` as version 1 of a workflow of account ``acct``, straight in the database."""
    compiled = compile_definition(document, load_actions([ECHO_MODULE]))
    with Session(engine) as session:
        if session.get(Account, "acct") is None:
            session.add(Account(id="acct", name="test"))
        session.add(Workflow(id=workflow_id, account_id="acct", name=name, draft=document,
                             latest_version=1, live_version=1 if live else None))  # fmt: skip
        session.flush()
        session.add(WorkflowVersion(workflow_id=workflow_id, version=1, definition=document,
                                    compiled=compiled.definition))  # fmt: skip
        session.commit()


CHILD = {"name": "enrich", "actions": [{"type": "test_echo", "data": {"value": "{{ input.contact & '!' }}"}}]}


async def test_invoke_waits_for_the_child_and_returns_its_output(run_flow: Runner, engine: Engine) -> None:
    save_published(engine, workflow_id="wf_child", name="enrich", document=CHILD)
    done = await run_flow({"name": "parent", "actions": [
        {"id": "call", "type": "invoke", "data": {"workflow": "enrich", "input": {"contact": "{{ event.data.c }}"}}},
    ]}, data={"c": "ada"})  # fmt: skip
    output = done.result["output"]
    assert output["status"] == "completed" and output["output"]["value"] == "ada!"
    with Session(engine) as session:
        child = session.get(Run, output["run_id"])
        assert child is not None and child.workflow_id == "wf_child" and child.version == 1


async def test_invoke_fire_and_forget_returns_the_run_id(run_flow_dev: Runner, engine: Engine) -> None:
    # On the dev server: the time-skipping test server never unlocks its clock again after
    # a parent that abandoned a child has completed (it would stall every later test).
    save_published(engine, workflow_id="wf_child", name="enrich", document=CHILD)
    done = await run_flow_dev({"name": "parent", "actions": [
        {"type": "invoke", "data": {"workflow": "wf_child", "wait": False, "input": {"contact": "bo"}}}]})  # fmt: skip
    assert set(done.result["output"]) == {"run_id"}
    with Session(engine) as session:
        child = session.get(Run, done.result["output"]["run_id"])
        assert child is not None
    # The parent did not wait; the child still runs to its end.
    child_handle = done.handle._client.get_workflow_handle(child.temporal_workflow_id)
    assert (await child_handle.result())["output"]["value"] == "bo!"


async def test_invoke_of_an_unpublished_workflow_fails_clearly(run_flow: Runner, engine: Engine) -> None:
    save_published(engine, workflow_id="wf_draft", name="draft", document=CHILD, live=False)
    done = await run_flow({"name": "parent", "actions": [{"type": "invoke", "data": {"workflow": "draft"}}]})
    assert isinstance(done.error, WorkflowFailureError)
    assert "has no published version" in done.step("invoke_1").error
