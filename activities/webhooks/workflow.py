"""``RelayWebhookDelivery``: one notification, retried with backoff for up to a day.

Deterministic and sandbox-safe: the activity is called by name. The workflow fails (visible in
the Web UI, id ``webhook:<run_id>:<name>``) only when the endpoint refused for good (410, an
address the SSRF rule refuses) or kept failing for ``GIVE_UP_AFTER``.
"""

from datetime import timedelta

from temporalio import workflow
from temporalio.common import RetryPolicy

with workflow.unsafe.imports_passed_through():
    from activities.webhooks.contract import (
        DELIVER_ACTIVITY,
        WEBHOOK_WORKFLOW,
        DeliveryInput,
        DeliveryResult,
    )

# 2 s, 4 s, 8 s … then every 15 minutes: about 100 attempts in the day.
RETRY = RetryPolicy(
    initial_interval=timedelta(seconds=2), backoff_coefficient=2.0, maximum_interval=timedelta(minutes=15)
)
GIVE_UP_AFTER = timedelta(days=1)
# One POST: the request's own timeout (``delivery.REQUEST_TIMEOUT``) ends well before this.
ATTEMPT_TIMEOUT = timedelta(seconds=30)


@workflow.defn(name=WEBHOOK_WORKFLOW)
class RelayWebhookDelivery:
    @workflow.run
    async def run(self, delivery: DeliveryInput) -> DeliveryResult:
        return await workflow.execute_activity(
            DELIVER_ACTIVITY,
            delivery,
            result_type=DeliveryResult,
            start_to_close_timeout=ATTEMPT_TIMEOUT,
            schedule_to_close_timeout=GIVE_UP_AFTER,
            retry_policy=RETRY,
            summary=f"{delivery.event_type} → {delivery.webhook}",
        )
