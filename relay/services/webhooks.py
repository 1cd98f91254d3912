"""Run webhooks: an account's endpoints told, signed, when its runs end.

Written through the API (``WebhookService``); the secret is encrypted at rest and never leaves.
When a run's end is recorded (``relay.record_run``), ``notify_run_ended`` starts one
``RelayWebhookDelivery`` workflow per matching webhook, with the id
``webhook:<run_id>:<name>``, so a retried recording starts nothing twice and the run never
waits for an endpoint. The delivery activity (``activities.webhooks.delivery``) builds and signs
the body with ``notification_body`` and ``signature``.
"""

import asyncio
import hashlib
import hmac
import json
import logging
from datetime import UTC, datetime
from typing import Any

import httpcore
from sqlalchemy import Engine
from sqlmodel import Session, select
from temporalio.client import Client
from temporalio.common import WorkflowIDReusePolicy
from temporalio.exceptions import WorkflowAlreadyStartedError

from activities.net_guard import AddressRefused, AddressRule
from activities.webhooks.contract import WEBHOOK_WORKFLOW, DeliveryInput, delivery_workflow_id
from relay.core.errors import Invalid
from relay.services.db import in_session, with_session
from relay.services.run_start import TERMINAL
from relay.services.run_view import pinned_definition, whole_steps
from relay.storage import webhooks as rows
from relay.storage.secrets import SecretBox
from relay.storage.tables import Run, Webhook

log = logging.getLogger(__name__)

# One event type per way a run can end: ``run.completed``, ``run.failed`` …
EVENT_TYPES = tuple(sorted(f"run.{status}" for status in TERMINAL))
SIGNATURE_HEADER = "Relay-Signature"
# How long saving a webhook waits for its host name to resolve, for an early SSRF answer.
SAVE_CHECK_SECONDS = 2.0


class WebhookService:
    """An account's webhooks: written with their secret encrypted, read without it."""

    def __init__(self, *, engine: Engine, box: SecretBox, allow: list[str]) -> None:
        self.engine = engine
        self.box = box
        self.rule = AddressRule(allow)

    async def put(self, *, account_id: str, name: str, url: str, events: list[str], secret: str) -> Webhook:
        """Create or replace a webhook. An address actions may not reach (loopback, private,
        cloud metadata, unless RELAY_HTTP_ALLOW lists it) is refused now, naming ``url``; a host
        that does not resolve (within ``SAVE_CHECK_SECONDS``) is accepted: each delivery checks
        again when it connects."""
        try:
            async with asyncio.timeout(SAVE_CHECK_SECONDS):
                await self.rule.check_url(url)
        except AddressRefused as exc:
            raise Invalid(str(exc), field="url") from None
        except (httpcore.ConnectError, OSError, TimeoutError):
            pass  # not resolvable (quickly) now: every delivery checks again as it connects
        return await in_session(
            self.engine, rows.put_webhook, account_id=account_id, name=name, url=url, events=events,
            secret=secret, box=self.box,
        )  # fmt: skip

    async def list_all(self, *, account_id: str) -> list[Webhook]:
        return await in_session(self.engine, rows.list_webhooks, account_id=account_id)

    async def get(self, *, account_id: str, name: str) -> Webhook:
        return await in_session(self.engine, rows.get_webhook, account_id=account_id, name=name)

    async def delete(self, *, account_id: str, name: str) -> None:
        await in_session(self.engine, rows.delete_webhook, account_id=account_id, name=name)


async def notify_run_ended(
    client: Client, engine: Engine, *, temporal_workflow_id: str, task_queue: str
) -> list[str]:
    """Start a delivery for each webhook that wants how this run ended (read from its row: the
    first recorded ending wins); the ids of the deliveries it asked for."""
    found = await asyncio.to_thread(
        with_session, engine, _deliveries, temporal_workflow_id=temporal_workflow_id
    )
    started = await asyncio.gather(*(_start(client, d, task_queue=task_queue) for d in found))
    return list(started)


def _deliveries(session: Session, *, temporal_workflow_id: str) -> list[DeliveryInput]:
    run = session.exec(select(Run).where(Run.temporal_workflow_id == temporal_workflow_id)).first()
    if run is None or run.status not in TERMINAL:
        return []
    event_type = f"run.{run.status}"
    names = rows.subscribed(session, account_id=run.account_id, event_type=event_type)
    return [
        DeliveryInput(account_id=run.account_id, run_id=run.id, webhook=name, event_type=event_type)
        for name in names
    ]


async def _start(client: Client, delivery: DeliveryInput, *, task_queue: str) -> str:
    workflow_id = delivery_workflow_id(run_id=delivery.run_id, webhook=delivery.webhook)
    try:
        await client.start_workflow(
            WEBHOOK_WORKFLOW,
            delivery,
            id=workflow_id,
            task_queue=task_queue,
            # Never a second delivery for the same run and webhook, even after the first closed.
            id_reuse_policy=WorkflowIDReusePolicy.REJECT_DUPLICATE,
        )
    except WorkflowAlreadyStartedError:
        pass  # a retried recording: the delivery is under way or done
    return workflow_id


def run_view(session: Session, run: Run, *, ui_url: str) -> dict[str, Any]:
    """The run as ``GET /v1/runs/{id}`` shows it once it has ended: the same fields, and every
    step of its definition (``relay.services.run_view``)."""
    definition = pinned_definition(session, workflow_id=run.workflow_id, version=run.version)
    return {
        "run_id": run.id,
        "workflow_id": run.workflow_id,
        "version": run.version,
        "event_id": run.event_id,
        "status": run.status,
        "input": run.input,
        "output": run.output,
        "error": run.error,
        "created_at": _iso(run.created_at),
        "ended_at": _iso(run.ended_at),
        "temporal_workflow_id": run.temporal_workflow_id,
        "temporal_ui_url": ui_url,
        "rerun_of": run.rerun_of,
        "steps": whole_steps(definition, run.steps or [], run_status=run.status),
    }


def notification_body(event_type: str, run: dict[str, Any]) -> bytes:
    """The exact bytes POSTed (and signed): ``{"type": …, "run": …}``."""
    return json.dumps({"type": event_type, "run": run}, separators=(",", ":"), default=str).encode()


def signature(secret: str, *, timestamp: int, body: bytes) -> str:
    """``Relay-Signature``: ``t=<unix>,v1=<hex HMAC-SHA256 of "<t>.<body>" with the secret>``.
    The timestamp is signed too, so a receiver can refuse replays of old notifications."""
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


def _iso(moment: datetime | None) -> str | None:
    if moment is None:
        return None
    # SQLite hands datetimes back naive; Relay writes them in UTC.
    moment = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")
