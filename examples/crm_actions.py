"""An example product action: "create a contact in our CRM".

Load it with ``RELAY_ACTION_MODULES=examples.crm_actions`` (the worker and the API both
import it: the worker to run it, the API to list it and check definitions). A step:

    {"type": "crm_create_contact",
     "data": {"email": "leadEmail", "first_name": "{{ event.data.firstName }}"}}

``email`` has the seed field semantics: a bare name reads that field of the event's data.
The account's secrets ``CRM_TOKEN`` (and ``CRM_URL`` unless the step gives ``base_url``)
must be set with ``PUT /v1/secrets/...``.
"""

from datetime import timedelta

import httpx
from pydantic import BaseModel, Field, field_validator

from activities import ActionContext, RetryDefaults, action
from activities.errors import permanent
from activities.http_calls import post_json

REQUEST_TIMEOUT = 20.0
URL_SECRET = "CRM_URL"

Scalar = str | int | float | bool | None


class CreateContactInput(BaseModel):
    email: str = Field(description='the address, or the event field holding it ("leadEmail")')
    first_name: str | None = None
    last_name: str | None = None
    company: str | None = None
    properties: dict[str, Scalar] = Field(default_factory=dict, description="custom CRM fields")
    base_url: str | None = Field(
        None, description="the CRM API's base URL; default: the account's CRM_URL secret"
    )
    token: str = Field(description="the CRM API token; default: {{ secrets.CRM_TOKEN }}")

    @field_validator("email")
    @classmethod
    def _address(cls, value: str) -> str:
        if "@" not in value.strip("@"):
            raise ValueError("must be an email address")
        return value.strip()


class CreateContactOutput(BaseModel):
    id: str = Field(description="the CRM's id for the new contact")
    email: str


@action(
    "crm_create_contact",
    input=CreateContactInput,
    output=CreateContactOutput,
    description="Create a contact in the CRM. 4xx answers (a duplicate, a bad field) fail the "
    "step for good; network errors and 5xx are retried.",
    timeout=timedelta(minutes=1),
    retry=RetryDefaults(max_attempts=5, initial_interval=timedelta(seconds=2)),
    event_fields=("email",),
    # Resolved inside the activity only: the token never enters workflow history.
    defaults={"token": "{{ secrets.CRM_TOKEN }}"},
)
async def create_contact(data: CreateContactInput, ctx: ActionContext) -> CreateContactOutput:
    url = _contacts_url(data.base_url or ctx.secret(URL_SECRET))
    body = data.model_dump(exclude={"base_url", "token"}, exclude_none=True)
    headers = {
        "Authorization": f"Bearer {data.token}",
        # A retry after a lost answer must not create the contact twice.
        "Idempotency-Key": ctx.idempotency_key,
    }
    response = await post_json(
        ctx.http,
        url,
        json=body,
        headers=headers,
        request_timeout=REQUEST_TIMEOUT,
        what=f"the CRM (contact {data.email})",
    )
    try:
        contact_id = response.json()["id"]
    except (ValueError, KeyError, TypeError):
        # The contact may well exist now; retrying could create a second one.
        raise permanent(
            f"the CRM answered {response.status_code} without a contact id", kind="CrmBadAnswer"
        ) from None
    return CreateContactOutput(id=str(contact_id), email=data.email)


def _contacts_url(base_url: str) -> str:
    try:
        base = httpx.URL(base_url.strip())
    except httpx.InvalidURL:
        base = None
    if base is None or base.scheme not in ("http", "https") or not base.host:
        raise permanent("the CRM base URL must be an absolute http(s) URL", kind="InvalidCrmUrl")
    return f"{str(base).rstrip('/')}/contacts"
