"""Relay's own activities (not actions): the database work the workflow cannot do itself."""

import asyncio
from collections.abc import Awaitable, Callable

from pydantic import BaseModel
from sqlalchemy import Engine
from sqlmodel import Session
from temporalio import activity

from activities.errors import permanent
from activities.run_log import log_recorded
from interpreter.contract import (
    PREPARE_INVOKE_ACTIVITY,
    RECORD_RUN_ACTIVITY,
    InvokeRequest,
    InvokeTarget,
    RunRecord,
    RunRecorded,
)
from relay.core.errors import Invalid
from relay.services.flow_control import release_gates
from relay.services.run_lifecycle import record_ended, record_started
from relay.services.run_start import run_start, temporal_workflow_id
from relay.services.webhooks import notify_run_ended
from relay.services.workflows import invoke_target
from relay.storage.tables import Run


class SystemActivities:
    def __init__(self, *, engine: Engine) -> None:
        self._engine = engine

    def activities(self) -> list[Callable[..., Awaitable[BaseModel]]]:
        """Every system activity, bound to this worker's database."""
        return [self.record_run, self.prepare_invoke]

    @activity.defn(name=RECORD_RUN_ACTIVITY)
    async def record_run(self, record: RunRecord) -> RunRecorded:
        """Write the run's start or end to its Run row (retried until the database takes it)."""
        temporal_workflow_id = activity.info().workflow_id
        if temporal_workflow_id is None:
            raise permanent("relay.record_run is called by a run, never on its own", kind="NotInARun")
        recorded = await asyncio.to_thread(self._record, record, temporal_workflow_id)
        await asyncio.to_thread(log_recorded, self._engine, record, run_id=recorded.run_id)
        if record.status != "running":
            # After the end has committed: one delivery workflow per matching webhook, started
            # (not awaited), so an endpoint never delays the run; a retry starts none twice.
            await notify_run_ended(
                activity.client(),
                self._engine,
                temporal_workflow_id=temporal_workflow_id,
                task_queue=activity.info().task_queue,
            )
            # Flow control: the gates this run passed free its slot (a repeat is a no-op there).
            await release_gates(activity.client(), self._engine, temporal_workflow_id=temporal_workflow_id)
        return recorded

    def _record(self, record: RunRecord, temporal_workflow_id: str) -> RunRecorded:
        with Session(self._engine) as session:
            if record.status == "running":
                run_id = record_started(session, record=record, temporal_workflow_id=temporal_workflow_id)
                return RunRecorded(run_id=run_id)
            record_ended(session, record=record, temporal_workflow_id=temporal_workflow_id)
            return RunRecorded(run_id=record.run_id)

    @activity.defn(name=PREPARE_INVOKE_ACTIVITY)
    async def prepare_invoke(self, request: InvokeRequest) -> InvokeTarget:
        """Record a child run of the target's live version (once, however often retried)."""
        return await asyncio.to_thread(self._prepare, request)

    def _prepare(self, request: InvokeRequest) -> InvokeTarget:
        with Session(self._engine) as session:
            run = session.get(Run, request.run_id)
            if run is None:
                try:
                    target = invoke_target(session, account_id=request.account_id, ref=request.workflow)
                except Invalid as problem:
                    raise permanent(problem.message, kind="InvokeTarget") from None
                run = Run(
                    id=request.run_id,
                    account_id=request.account_id,
                    workflow_id=target.id,
                    version=target.live_version or 0,
                    temporal_workflow_id=temporal_workflow_id(
                        account_id=request.account_id,
                        workflow_id=target.id,
                        trigger=f"invoke-{request.run_id}",
                    ),
                    input=request.input,
                    status="running",
                )
                session.add(run)
                session.flush()
            start = run_start(session, run)
            session.commit()
            return InvokeTarget(temporal_workflow_id=start.temporal_workflow_id, input=start.input)
