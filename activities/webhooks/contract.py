"""Names and types shared by the webhook delivery workflow, its activity and whoever starts it."""

from typing import Literal

from pydantic import BaseModel

WEBHOOK_WORKFLOW = "RelayWebhookDelivery"
DELIVER_ACTIVITY = "relay.webhook_deliver"


def delivery_workflow_id(*, run_id: str, webhook: str) -> str:
    """One delivery per run and webhook: starting it again (a retried recording) is a no-op."""
    return f"webhook:{run_id}:{webhook}"


class DeliveryInput(BaseModel):
    """Ids only: the run, the URL and the secret are read from the database by the activity,
    so no secret and no run data enter the workflow's history."""

    account_id: str
    run_id: str
    webhook: str
    event_type: str


class DeliveryResult(BaseModel):
    # skipped: the webhook was deleted, or no longer wants this event type, before delivery.
    outcome: Literal["delivered", "skipped"]
    status_code: int | None = None
