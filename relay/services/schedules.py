"""Cron triggers as Temporal Schedules.

A Temporal Schedule carries a fixed start-workflow action, so a schedule's action starts
``RelayRun`` on the version that was live when it was created, and publishing another
version rewrites the action of every schedule of the workflow (``ScheduleService.follow_live_version``):
fires run the live version. Temporal appends the fire time to the action's workflow id,
so each fire is its own run, ``relay-{account}-{workflow}-{schedule}-2025-01-02T09:00:00Z``,
with Relay's search attributes. Every fire runs even while an earlier one still does
(overlap ``ALLOW_ALL``: a run that sleeps for days must not swallow the next fires); fires
missed while Temporal was unavailable are caught up within ``CATCHUP_WINDOW``.

The Temporal Schedule is created first and the row written after it, nothing half-written
either way; the live version is checked again once the row exists, so a publish in
between is followed too. Each fired run records itself when it starts (``relay.services.run_lifecycle``).
"""

import asyncio
import logging
import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import Engine
from temporalio.client import (
    Client,
    Schedule,
    ScheduleActionStartWorkflow,
    ScheduleOverlapPolicy,
    SchedulePolicy,
    ScheduleSpec,
    ScheduleUpdate,
    ScheduleUpdateInput,
)
from temporalio.common import SearchAttributePair, TypedSearchAttributes
from temporalio.service import RPCError, RPCStatusCode

from interpreter.contract import RELAY_ACCOUNT, RELAY_WORKFLOW, WORKFLOW_NAME, RunInput, search_attributes
from relay.core.errors import Conflict, Invalid
from relay.core.settings import Settings
from relay.core.temporal import web_ui_url
from relay.services import flow_control
from relay.services.run_start import temporal_workflow_id
from relay.storage import schedules as store
from relay.storage.schedules import CronSchedule
from relay.storage.tables import Workflow, WorkflowVersion

log = logging.getLogger(__name__)

CATCHUP_WINDOW = timedelta(hours=1)
NEXT_TIMES = 5


@dataclass(frozen=True)
class ScheduleView:
    """A schedule's row and what only Temporal knows: whether it is paused, when it fires next.
    ``missing``: the Temporal Schedule was deleted outside Relay."""

    row: CronSchedule
    status: Literal["active", "paused", "missing"]
    ui_url: str
    next_times: list[datetime] = field(default_factory=list)


class ScheduleService:
    """A workflow's cron schedules: their rows here, their Temporal Schedules there."""

    def __init__(self, *, engine: Engine, temporal: Client, settings: Settings) -> None:
        self.engine = engine
        self.temporal = temporal
        self.settings = settings

    async def create(
        self,
        *,
        account_id: str,
        workflow_id: str,
        cron: str,
        timezone: str | None = None,
        input: dict[str, Any] | None = None,  # the API's name for it
    ) -> ScheduleView:
        """Start firing runs of the workflow's live version on ``cron`` (in ``timezone``, default UTC)."""
        _check_timezone(timezone)
        schedule_id = f"sch-{secrets.token_hex(4)}"
        row = CronSchedule(
            id=schedule_id,
            account_id=account_id,
            workflow_id=workflow_id,
            temporal_schedule_id=temporal_workflow_id(
                account_id=account_id, workflow_id=workflow_id, trigger=schedule_id
            ),
            cron=cron.strip(),
            timezone=timezone,
            input=input or {},
            version=0,
        )
        workflow, version = await asyncio.to_thread(
            store.live, self.engine, account_id=account_id, workflow_id=workflow_id
        )
        row.version = version.version
        schedule = Schedule(
            action=_action(row, workflow, version, task_queue=self.settings.task_queue),
            spec=ScheduleSpec(cron_expressions=[row.cron], time_zone_name=timezone),
            policy=SchedulePolicy(overlap=ScheduleOverlapPolicy.ALLOW_ALL, catchup_window=CATCHUP_WINDOW),
        )
        try:
            handle = await self.temporal.create_schedule(
                row.temporal_schedule_id, schedule, search_attributes=_schedule_attributes(row)
            )
        except RPCError as exc:
            if exc.status == RPCStatusCode.INVALID_ARGUMENT:
                at_fault = "timezone" if "time zone" in exc.message else "cron"
                raise Invalid(f"{at_fault}: {exc.message}", field=at_fault) from None
            raise
        try:
            await asyncio.to_thread(store.insert, self.engine, row)
        except Exception:
            await handle.delete()
            raise
        await self.follow_live_version(workflow_id=workflow_id)
        return await self._view(row)

    async def list_all(self, *, account_id: str, workflow_id: str) -> list[ScheduleView]:
        """The workflow's schedules, oldest first, each with its state in Temporal."""
        rows = await asyncio.to_thread(
            store.list_schedules, self.engine, account_id=account_id, workflow_id=workflow_id
        )
        return list(await asyncio.gather(*map(self._view, rows)))

    async def get(self, *, account_id: str, workflow_id: str, schedule_id: str) -> ScheduleView:
        return await self._view(await self._row(account_id, workflow_id, schedule_id))

    async def set_paused(
        self, *, account_id: str, workflow_id: str, schedule_id: str, paused: bool
    ) -> ScheduleView:
        """Pause (no fires until resumed; missed ones are not caught up) or resume."""
        row = await self._row(account_id, workflow_id, schedule_id)
        handle = self.temporal.get_schedule_handle(row.temporal_schedule_id)
        try:
            if paused:
                await handle.pause(note="paused through the Relay API")
            else:
                await handle.unpause(note="resumed through the Relay API")
        except RPCError as exc:
            if exc.status != RPCStatusCode.NOT_FOUND:
                raise
            raise Conflict(f"schedule {row.id!r} was deleted in Temporal; delete it here too") from None
        return await self._view(row)

    async def delete(self, *, account_id: str, workflow_id: str, schedule_id: str) -> None:
        """Stop the schedule for good; the runs it started stay (and keep running)."""
        await self._delete(await self._row(account_id, workflow_id, schedule_id))

    async def delete_all(self, *, account_id: str, workflow_id: str) -> int:
        """Delete every schedule of the account's workflow; returns how many there were."""
        rows = await asyncio.to_thread(
            store.list_schedules, self.engine, account_id=account_id, workflow_id=workflow_id
        )
        for row in rows:
            await self._delete(row)
        return len(rows)

    async def delete_workflow_schedules(self, *, workflow_id: str) -> int:
        """Delete every schedule of a workflow (for archiving it); returns how many there were."""
        rows = await asyncio.to_thread(store.of_workflow, self.engine, workflow_id=workflow_id)
        for row in rows:
            await self._delete(row)
        return len(rows)

    async def follow_live_version(self, *, workflow_id: str) -> int:
        """Point every schedule of the workflow at its live version; call after publishing.

        Schedules already on it are left alone. Returns how many were updated.
        """
        workflow, version, rows = await asyncio.to_thread(store.behind, self.engine, workflow_id=workflow_id)

        async def one(row: CronSchedule) -> bool:
            action = _action(row, workflow, version, task_queue=self.settings.task_queue)

            def new_action(current: ScheduleUpdateInput) -> ScheduleUpdate:
                schedule = current.description.schedule
                schedule.action = action
                return ScheduleUpdate(schedule=schedule)

            try:
                await self.temporal.get_schedule_handle(row.temporal_schedule_id).update(new_action)
                return True
            except RPCError as exc:
                if exc.status != RPCStatusCode.NOT_FOUND:
                    raise
                log.warning("schedule %s is gone from Temporal", row.temporal_schedule_id)
                return False

        updated = [row.id for row, ok in zip(rows, await asyncio.gather(*map(one, rows)), strict=True) if ok]
        if updated:
            await asyncio.to_thread(
                store.set_version, self.engine, schedule_ids=updated, version=version.version
            )
        return len(updated)

    async def _row(self, account_id: str, workflow_id: str, schedule_id: str) -> CronSchedule:
        return await asyncio.to_thread(
            store.get_schedule,
            self.engine,
            account_id=account_id,
            workflow_id=workflow_id,
            schedule_id=schedule_id,
        )

    async def _view(self, row: CronSchedule) -> ScheduleView:
        """The row with what Temporal knows of its schedule (paused, next fire times)."""
        ui_url = self._ui_url(row.temporal_schedule_id)
        try:
            description = await self.temporal.get_schedule_handle(row.temporal_schedule_id).describe()
        except RPCError as exc:
            if exc.status != RPCStatusCode.NOT_FOUND:
                raise
            return ScheduleView(row, "missing", ui_url)
        paused = description.schedule.state.paused
        return ScheduleView(
            row,
            "paused" if paused else "active",
            ui_url,
            list(description.info.next_action_times[:NEXT_TIMES]),
        )

    def _ui_url(self, temporal_schedule_id: str) -> str:
        return web_ui_url(self.settings, "schedules", temporal_schedule_id)

    async def _delete(self, row: CronSchedule) -> None:
        try:
            await self.temporal.get_schedule_handle(row.temporal_schedule_id).delete()
        except RPCError as exc:
            if exc.status != RPCStatusCode.NOT_FOUND:
                raise
        await asyncio.to_thread(store.delete, self.engine, schedule_id=row.id)


def _check_timezone(timezone: str | None) -> None:
    if timezone is None:
        return
    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        if _have_tz_database():
            raise Invalid(f"timezone: {timezone!r} is not an IANA time zone", field="timezone") from None


def _have_tz_database() -> bool:
    # Without one (a slim image), Temporal's own check is the only one.
    try:
        ZoneInfo("Europe/Paris")
        return True
    except ZoneInfoNotFoundError:
        return False


def _action(
    row: CronSchedule, workflow: Workflow, version: WorkflowVersion, *, task_queue: str
) -> ScheduleActionStartWorkflow:
    # Every fire gets the same input; run.id inside it is the schedule's id.
    run = RunInput(
        run_id=row.id,
        account_id=row.account_id,
        workflow_id=row.workflow_id,
        version=version.version,
        definition=version.compiled,
        input=row.input,
    )
    return ScheduleActionStartWorkflow(
        WORKFLOW_NAME,
        run,
        id=row.temporal_schedule_id,
        task_queue=task_queue,
        # Each fire upserts its own RelayRun once it is recorded (the input's is the schedule's id).
        typed_search_attributes=search_attributes(run, with_run=False),
        static_summary=f"{workflow.name} v{version.version} · schedule {row.id} ({row.cron})",
        # Fairness by account and the definition's priority, as every run (flow_control).
        priority=flow_control.task_priority(
            row.account_id, flow_control.scheduled_priority(version.compiled, row.input)
        ),
    )


def _schedule_attributes(row: CronSchedule) -> TypedSearchAttributes:
    """The schedule itself is found by account and workflow; its runs carry the version too."""
    return TypedSearchAttributes(
        [
            SearchAttributePair(RELAY_ACCOUNT, row.account_id),
            SearchAttributePair(RELAY_WORKFLOW, row.workflow_id),
        ]
    )
