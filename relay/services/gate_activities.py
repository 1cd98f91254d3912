"""The gate workflow's activities (``interpreter.gates``): start a run, hand it to the next gate,
record a debounced run as superseded. Each is retried by the gate until it succeeds, so each
is idempotent: a run's workflow id is fixed, and its row's status decides in SQL."""

import asyncio
import time
from collections.abc import Awaitable, Callable

from pydantic import BaseModel
from sqlalchemy import Engine
from temporalio import activity

from interpreter.gates.contract import (
    GATE_FORWARD_ACTIVITY,
    GATE_START_ACTIVITY,
    GATE_SUPERSEDE_ACTIVITY,
    GateRequest,
    GateStarted,
)
from relay.services import flow_control
from relay.services import run_start as run_service


class GateActivities:
    def __init__(self, *, engine: Engine) -> None:
        self._engine = engine

    def activities(self) -> list[Callable[..., Awaitable[BaseModel | None]]]:
        return [self.start, self.forward, self.supersede]

    @activity.defn(name=GATE_START_ACTIVITY)
    async def start(self, run_id: str) -> GateStarted:
        """Start the run the gate lets go, unless it was cancelled meanwhile."""
        status = await asyncio.to_thread(flow_control.claim, self._engine, run_id=run_id)
        if status == "running":  # an earlier try started it; its end will free the slot
            return GateStarted(outcome="started")
        if status != "pending":
            return GateStarted(outcome="gone")
        start = await asyncio.to_thread(run_service.pending_start, self._engine, run_id=run_id)
        if start is None:  # started and recorded by an earlier try
            return GateStarted(outcome="started")
        await run_service.start_run(activity.client(), start, task_queue=activity.info().task_queue)
        at = time.time()
        await asyncio.to_thread(run_service.mark_started, self._engine, run_ids=[run_id])
        return GateStarted(outcome="started", at=at)

    @activity.defn(name=GATE_FORWARD_ACTIVITY)
    async def forward(self, request: GateRequest) -> None:
        """Hand the run to its next gate (signal-with-start; a repeated hand-on is dropped there)."""
        await flow_control.enqueue(activity.client(), request, task_queue=activity.info().task_queue)

    @activity.defn(name=GATE_SUPERSEDE_ACTIVITY)
    async def supersede(self, run_id: str, newer: str) -> None:
        await asyncio.to_thread(flow_control.supersede, self._engine, run_id=run_id, newer=newer)
