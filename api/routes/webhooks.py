"""``/v1/webhooks``: run notifications. The signing secret is written, never answered."""

from typing import Annotated

from fastapi import APIRouter, Path, status

from api.deps import AccountDep, ServicesDep
from api.models.common import Items
from api.models.webhooks import WEBHOOK_NAME, WebhookPublic, WebhookWrite
from relay.storage.tables import Webhook

router = APIRouter(prefix="/webhooks", tags=["webhooks"])

WebhookName = Annotated[str, Path(pattern=WEBHOOK_NAME, max_length=64, description="your name for it")]


def _public(webhook: Webhook) -> WebhookPublic:
    return WebhookPublic(
        name=webhook.name,
        url=webhook.url,
        events=webhook.events,
        created_at=webhook.created_at,
        updated_at=webhook.updated_at,
    )


@router.put(
    "/{name}",
    responses={
        status.HTTP_422_UNPROCESSABLE_CONTENT: {
            "description": "a bad `url` (or one on an internal network), `events` or `secret`"
        }
    },
)
async def put_webhook(
    name: WebhookName, body: WebhookWrite, account: AccountDep, services: ServicesDep
) -> WebhookPublic:
    """Create or replace a webhook. When one of your runs ends with a status in `events`,
    Relay POSTs `{"type": "run.<status>", "run": {…}}` (the run as `GET /v1/runs/{id}` shows it)
    to `url`, signed: `Relay-Signature: t=<unix>,v1=<hex HMAC-SHA256 of "<t>.<body>">` with
    `secret`. Retried with backoff for a day until it answers 2xx."""
    webhook = await services.webhooks.put(
        account_id=account.id, name=name, url=body.url, events=body.events, secret=body.secret
    )
    return _public(webhook)


@router.get("")
async def list_webhooks(account: AccountDep, services: ServicesDep) -> Items[WebhookPublic]:
    return Items(items=[_public(w) for w in await services.webhooks.list_all(account_id=account.id)])


@router.get("/{name}")
async def read_webhook(name: WebhookName, account: AccountDep, services: ServicesDep) -> WebhookPublic:
    """The webhook without its secret."""
    return _public(await services.webhooks.get(account_id=account.id, name=name))


@router.delete("/{name}", status_code=status.HTTP_204_NO_CONTENT)
async def delete_webhook(name: WebhookName, account: AccountDep, services: ServicesDep) -> None:
    """Delete a webhook; notifications not yet delivered are not sent."""
    await services.webhooks.delete(account_id=account.id, name=name)
