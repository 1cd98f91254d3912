"""Warnings: what a valid definition says that is likely wrong for its account.

A definition that saves can still fail at run time on what only the account holds: an email
template or a secret that does not exist, an ``invoke`` of a workflow with no published
version. A ``wait_for_event`` without ``timeout`` is valid but waits forever if the event
never comes. Create, update and version answers carry these as ``warnings``; they never
stop a save (a template may be written after the workflow that uses it).
"""

import asyncio
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError
from sqlalchemy import Engine
from sqlmodel import Session, col, select

from interpreter import expressions
from interpreter.definition import Definition
from interpreter.errors import Problems
from interpreter.steps.action import ActionStep
from interpreter.steps.base import data_templates
from interpreter.steps.invoke import Invoke
from interpreter.steps.tree import StepRef, assign_ids, walk
from interpreter.steps.wait_for_event import WaitForEvent
from relay.services.db import in_session
from relay.storage.tables import EmailTemplate, Secret, Workflow

SLACK_TOKEN = "SLACK_TOKEN"


@dataclass(frozen=True)
class AccountHas:
    """The names a definition may refer to in its account."""

    templates: set[str]
    secrets: set[str]
    # Workflow id and name → whether it has a live version.
    workflows: dict[str, bool]


class WarningService:
    def __init__(self, *, engine: Engine) -> None:
        self.engine = engine

    async def check(self, *, account_id: str, definition: dict[str, Any]) -> list[dict[str, Any]]:
        """``[{loc, node, message}]`` for ``definition`` (already valid) in the account."""
        # Off the event loop: a definition at the step limit takes most of a second to walk.
        refs = await asyncio.to_thread(_steps, definition)
        if not refs:
            return []
        has = await in_session(self.engine, account_has, account_id=account_id)
        return [
            {"loc": loc, "node": ref.id, "message": message}
            for ref in refs
            for loc, message in _warnings(ref, has)
        ]


def account_has(session: Session, *, account_id: str) -> AccountHas:
    templates = session.exec(select(EmailTemplate.name).where(EmailTemplate.account_id == account_id)).all()
    secrets = session.exec(select(Secret.name).where(Secret.account_id == account_id)).all()
    rows = session.exec(
        select(Workflow.id, Workflow.name, Workflow.live_version).where(
            Workflow.account_id == account_id, col(Workflow.archived).is_(False)
        )
    ).all()
    workflows: dict[str, bool] = {}
    for workflow_id, name, live in rows:
        workflows[workflow_id] = live is not None
        workflows[name] = workflows.get(name, False) or live is not None
    return AccountHas(templates=set(templates), secrets=set(secrets), workflows=workflows)


def _steps(document: dict[str, Any]) -> list[StepRef]:
    """Every step with its location, ids as the compiler assigns them."""
    try:
        definition = Definition.model_validate(document)
    except ValidationError:
        return []  # the save itself reports what is wrong
    listed = definition.actions is not None
    top = (definition.actions if listed else definition.nodes) or []
    shape = "actions" if listed else "nodes"
    return list(walk(assign_ids(top, list_shape=listed, problems=Problems(), loc=shape), shape))


def _warnings(ref: StepRef, has: AccountHas) -> Iterator[tuple[str, str]]:
    step = ref.step
    if isinstance(step, WaitForEvent) and step.data.timeout is None:
        yield (
            f"{ref.loc}.data.timeout",
            f"no timeout: the run waits forever if no {step.data.event!r} event comes "
            '(give one, e.g. "7 days"; the step\'s output is null when it passes)',
        )
    if isinstance(step, Invoke) and "{{" not in step.data.workflow:
        live = has.workflows.get(step.data.workflow)
        if live is None:
            yield (
                f"{ref.loc}.data.workflow",
                f"no workflow with id or name {step.data.workflow!r} in this account",
            )
        elif not live:
            yield f"{ref.loc}.data.workflow", f"workflow {step.data.workflow!r} has no published version yet"
    if not isinstance(step, ActionStep):
        return
    template = step.data.get("template")
    if (
        step.type == "email"
        and isinstance(template, str)
        and "{{" not in template
        and template not in has.templates
    ):
        yield (
            f"{ref.loc}.data.template",
            f"email template {template!r} does not exist (PUT /v1/email-templates/{template})",
        )
    if step.type == "slack" and SLACK_TOKEN not in has.secrets:
        yield (
            ref.loc,
            f"slack posts with the secret {SLACK_TOKEN}, which is not set (PUT /v1/secrets/{SLACK_TOKEN})",
        )
    for field, source in data_templates(step.data):
        name = source.strip().removeprefix("secrets.")
        if expressions.is_secret_reference(source) and name not in has.secrets:
            yield f"{ref.loc}.{field}", f"secret {name!r} is not set (PUT /v1/secrets/{name})"
