"""Runs for the API: start one by hand, list them, read one with its steps, cancel one.

Reads never write: a run's row is brought up to date by the run itself when it starts and
ends (``relay.services.run_lifecycle``), so a status filter is exact for any number of runs.
"""

import asyncio
from typing import Any

import structlog
from sqlalchemy import Engine, or_
from sqlmodel import Session, col, select
from temporalio.client import Client
from temporalio.service import RPCError, RPCStatusCode

from relay.core.errors import Conflict, NotFound
from relay.core.settings import Settings
from relay.core.temporal import web_ui_url
from relay.services import flow_control, pagination
from relay.services.db import in_session
from relay.services.rerun import record_rerun
from relay.services.run_lifecycle import write_end
from relay.services.run_start import TERMINAL, mark_started, record_manual_run, start_run
from relay.services.run_status import ClosedRun, closed_run, live_attempts, live_progress
from relay.services.run_view import pinned_definition, whole_steps
from relay.services.webhooks import notify_run_ended
from relay.storage.tables import Event, Run


class RunService:
    """Runs of one Relay deployment, always scoped to the caller's account."""

    def __init__(self, *, engine: Engine, temporal: Client, settings: Settings) -> None:
        self.engine = engine
        self.temporal = temporal
        self.settings = settings

    async def start(
        self, *, account_id: str, workflow_id: str, version: int | None, input: dict[str, Any]
    ) -> str:
        """Record and start a manual run (of the live version unless ``version``); its run id."""
        start = await asyncio.to_thread(
            record_manual_run, self.engine, account_id=account_id, workflow_id=workflow_id,
            version=version, input=input,
        )  # fmt: skip
        structlog.contextvars.bind_contextvars(run_id=start.input.run_id)  # on the request's lines
        await start_run(self.temporal, start, task_queue=self.settings.task_queue)
        await asyncio.to_thread(mark_started, self.engine, run_ids=[start.input.run_id])
        return start.input.run_id

    async def rerun(
        self, *, account_id: str, run_id: str, from_step: str | None, version: int | None
    ) -> str:
        """Record and start a rerun of an ended run (``relay.services.rerun``); its run id."""
        start = await in_session(
            self.engine, record_rerun, account_id=account_id, run_id=run_id, from_step=from_step,
            version=version,
        )  # fmt: skip
        await start_run(self.temporal, start, task_queue=self.settings.task_queue)
        await asyncio.to_thread(mark_started, self.engine, run_ids=[start.input.run_id])
        return start.input.run_id

    async def list_page(
        self,
        *,
        account_id: str,
        workflow_id: str | None,
        status: str | None,
        event_id: str | None,
        limit: int,
        cursor: str | None,
    ) -> tuple[list[Run], str | None]:
        """Runs newest first, from the database alone."""
        return await in_session(
            self.engine, list_runs, account_id=account_id, workflow_id=workflow_id, status=status,
            event_id=event_id, limit=limit, cursor=cursor,
        )  # fmt: skip

    async def read(self, *, account_id: str, run_id: str) -> tuple[Run, list[dict[str, Any]]]:
        """A run and every step of its definition (``relay.services.run_view``): stored once it
        has ended, asked of the workflow (and of Temporal's pending activities) while it runs."""
        structlog.contextvars.bind_contextvars(run_id=run_id)  # on the request's lines
        run = await in_session(self.engine, get_run, account_id=account_id, run_id=run_id)
        definition = await in_session(
            self.engine, pinned_definition, workflow_id=run.workflow_id, version=run.version
        )
        if run.status in TERMINAL or run.status in ("pending", "queued"):
            return run, whole_steps(definition, run.steps or [], run_status=run.status)
        progress, live = await asyncio.gather(
            live_progress(self.temporal, run.temporal_workflow_id),
            live_attempts(self.temporal, run.temporal_workflow_id),
        )
        reported = [step.model_dump(mode="json") for step in progress.steps] if progress else []
        # The run may have ended since its row was read: its own answer says so.
        status = progress.status if progress else run.status
        return run, whole_steps(definition, reported, run_status=status, live=live)

    async def cancel(self, *, account_id: str, run_id: str) -> str:
        """Ask the run to stop: ``cancelling``; a run that never started is ``cancelled`` at once."""
        structlog.contextvars.bind_contextvars(run_id=run_id)  # on the request's lines
        run = await in_session(self.engine, get_run, account_id=account_id, run_id=run_id)
        if run.status in TERMINAL:
            raise Conflict(f"run {run.id!r} has already ended ({run.status})")
        if run.status == "queued":
            # Decided in SQL against the gate starting it at the same moment: the gate's start
            # finds it cancelled and skips it; else it has started, and is cancelled below.
            gates = await asyncio.to_thread(flow_control.cancel_queued, self.engine, run_id=run.id)
            if gates is not None:
                await flow_control.release(self.temporal, gates, run.id)
                await self._notify_ended(run)
                return "cancelled"
        # Asked first: Temporal accepts a cancel request for a workflow already terminated
        # outside Relay (no error), which would leave the row ``running`` for good.
        closed = await closed_run(self.temporal, run.temporal_workflow_id)
        if closed is not None:
            # Closed without recording its end (terminated in Temporal): the row learns it now.
            await in_session(self.engine, write_closed, run_id=run.id, closed=closed)
            await flow_control.release(self.temporal, run.gates, run.id)
            await self._notify_ended(run)
            raise Conflict(f"run {run.id!r} has already ended ({closed.status})")
        try:
            await self.temporal.get_workflow_handle(run.temporal_workflow_id).cancel(
                reason="cancelled through the Relay API"
            )
            return "cancelling"
        except RPCError as exc:
            if exc.status != RPCStatusCode.NOT_FOUND:
                raise
        never_started = ClosedRun("cancelled", "cancelled before it started", None, None)
        await in_session(self.engine, write_closed, run_id=run.id, closed=never_started)
        await flow_control.release(self.temporal, run.gates, run.id)
        await self._notify_ended(run)
        return "cancelled"

    async def _notify_ended(self, run: Run) -> None:
        # A run ended here, not by its own recording (``relay.record_run``): its webhooks are
        # told the same way (one delivery workflow each, never twice).
        await notify_run_ended(
            self.temporal, self.engine, temporal_workflow_id=run.temporal_workflow_id,
            task_queue=self.settings.task_queue,
        )  # fmt: skip

    def ui_url(self, temporal_workflow_id: str) -> str:
        """The run in the Temporal Web UI."""
        return web_ui_url(self.settings, "workflows", temporal_workflow_id)


def get_run(session: Session, *, account_id: str, run_id: str) -> Run:
    run = session.get(Run, run_id)
    if run is None or run.account_id != account_id:
        raise NotFound(f"run {run_id!r} does not exist")
    return run


def list_runs(
    session: Session,
    *,
    account_id: str,
    workflow_id: str | None,
    status: str | None,
    event_id: str | None,
    limit: int,
    cursor: str | None,
) -> tuple[list[Run], str | None]:
    statement = select(Run).where(Run.account_id == account_id)
    if workflow_id is not None:
        statement = statement.where(Run.workflow_id == workflow_id)
    if status is not None:
        statement = statement.where(Run.status == status)
    if event_id is not None:
        # Relay's event id, or the id the product gave the event.
        known = session.exec(
            select(Event.id).where(
                Event.account_id == account_id,
                or_(col(Event.id) == event_id, col(Event.external_id) == event_id),
            )
        ).all()
        statement = statement.where(col(Run.event_id).in_(list(known) or [event_id]))
    statement = pagination.newest_first(
        statement, created_at=Run.created_at, row_id=Run.id, cursor=cursor, limit=limit
    )
    rows = session.exec(statement).all()
    return pagination.split(rows, limit=limit, key=lambda r: (r.created_at, r.id))


def write_closed(session: Session, *, run_id: str, closed: ClosedRun) -> None:
    run = session.get(Run, run_id)
    if run is not None:
        write_end(session, run, status=closed.status, output=closed.output, error=closed.error, steps=[])
        session.commit()
