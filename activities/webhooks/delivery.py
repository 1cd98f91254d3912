"""``relay.webhook_deliver``: POST one signed run notification; any answer but 2xx is retried
(the workflow's policy backs off), since a receiver that is down or misconfigured may be fixed.

Each attempt reads the webhook afresh (a URL or secret changed meanwhile is used; a webhook
deleted meanwhile is skipped) and signs with the current time. The URL is user input: the
connection goes through the SSRF guard (``activities.net_guard``, ``RELAY_HTTP_ALLOW``), on
the first request and on redirects, which are not followed anyway.
"""

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

import httpx
from sqlalchemy import Engine
from sqlmodel import Session
from temporalio import activity

from activities.errors import mark_logged, permanent, retry_after, transient
from activities.net_guard import AddressRefused, AddressRule, guarded_client
from activities.webhooks.contract import DELIVER_ACTIVITY, DeliveryInput, DeliveryResult, delivery_workflow_id
from relay.core.settings import Settings
from relay.core.temporal import web_ui_url
from relay.services.webhooks import SIGNATURE_HEADER, notification_body, run_view, signature
from relay.storage.secrets import SecretBox
from relay.storage.tables import Run, Webhook

log = logging.getLogger("relay.webhooks")

REQUEST_TIMEOUT = 10.0
EXCERPT_CHARS = 200


@dataclass(frozen=True)
class _Prepared:
    url: str
    body: bytes
    secret: str


class WebhookActivities:
    def __init__(self, *, engine: Engine, box: SecretBox, settings: Settings) -> None:
        self._engine = engine
        self._box = box
        self._settings = settings
        self._rule = AddressRule(settings.http_allow)
        # Loaded once (the CA bundle); each attempt's client is then cheap to make and close.
        self._tls = httpx.create_ssl_context()

    def activities(self) -> list[Callable[..., Awaitable[DeliveryResult]]]:
        return [self.deliver]

    @activity.defn(name=DELIVER_ACTIVITY)
    async def deliver(self, delivery: DeliveryInput) -> DeliveryResult:
        prepared = await asyncio.to_thread(self._prepare, delivery)
        if prepared is None:
            log.info(
                "webhook %s no longer wants %s: not sent", delivery.webhook, delivery.event_type,
                extra={"account_id": delivery.account_id, "run_id": delivery.run_id},
            )  # fmt: skip
            return DeliveryResult(outcome="skipped")
        timestamp = int(time.time())
        headers = {
            "Content-Type": "application/json",
            "User-Agent": "Relay-Webhooks/1",
            "Relay-Event": delivery.event_type,
            # The same on every attempt: receivers deduplicate with it (delivery is at least once).
            "Relay-Delivery": delivery_workflow_id(run_id=delivery.run_id, webhook=delivery.webhook),
            SIGNATURE_HEADER: signature(prepared.secret, timestamp=timestamp, body=prepared.body),
        }
        what = f"webhook {delivery.webhook!r}"
        try:
            async with guarded_client(self._rule, verify=self._tls, timeout=REQUEST_TIMEOUT) as http:
                response = await http.post(prepared.url, content=prepared.body, headers=headers)
        except AddressRefused as exc:
            raise self._failed(delivery, permanent(f"{what}: {exc}", kind="AddressRefused")) from None
        except httpx.TimeoutException:
            failure = transient(f"{what} did not answer within {REQUEST_TIMEOUT:g}s", kind="Timeout")
            raise self._failed(delivery, failure) from None
        except httpx.RequestError as exc:
            failure = transient(f"{what} is unreachable: {type(exc).__name__}: {exc}", kind="NetworkError")
            raise self._failed(delivery, failure) from None
        if 200 <= response.status_code < 300:
            log.info(
                "webhook %s got %s (%s)", delivery.webhook, delivery.event_type, response.status_code,
                extra={"account_id": delivery.account_id, "run_id": delivery.run_id},
            )  # fmt: skip
            return DeliveryResult(outcome="delivered", status_code=response.status_code)
        message = f"{what} answered {response.status_code}: {response.text[:EXCERPT_CHARS]}"
        if response.status_code == 410:  # Gone: the receiver says never to send it again
            raise self._failed(delivery, permanent(message, kind="HTTP410")) from None
        delay = retry_after(response.headers.get("retry-after"))
        raise self._failed(delivery, transient(message, kind=f"HTTP{response.status_code}", delay=delay))

    def _prepare(self, delivery: DeliveryInput) -> _Prepared | None:
        with Session(self._engine) as session:
            webhook = session.get(Webhook, (delivery.account_id, delivery.webhook))
            run = session.get(Run, delivery.run_id)
            if webhook is None or delivery.event_type not in webhook.events:
                return None
            if run is None or run.account_id != delivery.account_id:
                raise permanent(f"run {delivery.run_id!r} is not a run of this account", kind="NoSuchRun")
            view = run_view(
                session, run, ui_url=web_ui_url(self._settings, "workflows", run.temporal_workflow_id)
            )
            return _Prepared(
                url=webhook.url,
                body=notification_body(delivery.event_type, view),
                secret=self._box.decrypt(webhook.secret_ciphertext),
            )

    def _failed(self, delivery: DeliveryInput, failure: BaseException) -> BaseException:
        # One line per failed attempt, no traceback: the failure is classified.
        log.warning(
            "webhook delivery failed: %s", failure,
            extra={
                "account_id": delivery.account_id,
                "run_id": delivery.run_id,
                "attempt": activity.info().attempt,
                "error_class": getattr(failure, "type", type(failure).__name__),
            },
        )  # fmt: skip
        return mark_logged(failure)
