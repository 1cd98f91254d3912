"""``slack``: post a message with chat.postMessage, using the account's ``SLACK_TOKEN`` secret.

A class action: the worker constructs it with the Slack API's base URL from the settings."""

from datetime import timedelta
from typing import Any

from pydantic import BaseModel, Field, model_validator
from temporalio.exceptions import ApplicationError

from activities.context import ActionContext
from activities.errors import permanent, retry_after, transient
from activities.http_calls import post_json
from activities.registry import action

TOKEN_SECRET = "SLACK_TOKEN"
REQUEST_TIMEOUT = 30.0

# The seed example gives only a channel: say which event fired, with its data.
DEFAULT_TEXT = (
    "{{ $exists(event.name) ? '*' & event.name & '*\\n```' & $string(event.data, true) & '```'"
    " : 'Relay workflow message: ' & $string(input) }}"
)

# Slack errors a retry can fix; every other `error` code (invalid_auth, channel_not_found,
# is_archived, not_in_channel, msg_too_long, ...) is the caller's to fix.
RETRYABLE = frozenset(
    {"ratelimited", "rate_limited", "internal_error", "fatal_error", "service_unavailable",
     "request_timeout", "team_added_to_org"}
)  # fmt: skip
HINTS = {
    "invalid_auth": "the SLACK_TOKEN secret is not a valid token",
    "not_authed": "no token was sent; set the SLACK_TOKEN secret",
    "token_revoked": "the SLACK_TOKEN secret has been revoked",
    "account_inactive": "the token's user or workspace is deactivated",
    "missing_scope": "the token lacks the chat:write scope",
    "channel_not_found": "the channel does not exist or the app cannot see it",
    "not_in_channel": "invite the app to the channel first",
    "is_archived": "the channel is archived",
    "msg_too_long": "the message text is too long",
    "no_text": "the message has no text",
    "invalid_blocks": "the blocks are not valid Block Kit",
    "ratelimited": "Slack rate limit reached",
}


class SlackInput(BaseModel):
    channel: str = Field(description="channel id (C12345) or name (#general)")
    text: str | None = Field(None, description="message text (mrkdwn); fallback text with blocks")
    blocks: list[dict[str, Any]] | None = Field(None, description="Block Kit blocks")
    thread_ts: str | None = Field(None, description="reply in this message's thread")

    @model_validator(mode="after")
    def _something(self) -> "SlackInput":
        if not self.text and not self.blocks:
            raise ValueError("give text or blocks")
        return self


class SlackOutput(BaseModel):
    ok: bool
    channel: str
    ts: str


@action(
    "slack",
    input=SlackInput,
    output=SlackOutput,
    description="Post a message to a Slack channel (chat.postMessage) with the account's SLACK_TOKEN secret.",
    timeout=timedelta(minutes=1),
    defaults={"text": DEFAULT_TEXT},
)
class PostToSlack:
    def __init__(self, *, api_url: str) -> None:
        self._url = f"{api_url.rstrip('/')}/chat.postMessage"

    async def __call__(self, data: SlackInput, ctx: ActionContext) -> SlackOutput:
        token = ctx.secret(TOKEN_SECRET)
        response = await post_json(
            ctx.http,
            self._url,
            json=data.model_dump(exclude_none=True),
            headers={"Authorization": f"Bearer {token}"},
            request_timeout=REQUEST_TIMEOUT,
            what="Slack chat.postMessage",
        )
        try:
            answer = response.json()
        except ValueError:
            raise transient(
                f"Slack chat.postMessage answered {response.status_code} without JSON",
                kind="SlackBadAnswer",
            ) from None
        if not isinstance(answer, dict) or not answer.get("ok"):
            error = str(answer.get("error", "unknown_error")) if isinstance(answer, dict) else "unknown_error"
            raise _slack_error(error, data.channel, response.headers.get("retry-after"))
        return SlackOutput(
            ok=True, channel=str(answer.get("channel", data.channel)), ts=str(answer.get("ts", ""))
        )


def _slack_error(error: str, channel: str, retry_after_header: str | None) -> ApplicationError:
    hint = HINTS.get(error)
    message = f"Slack refused the message to {channel}: {error}" + (f" ({hint})" if hint else "")
    kind = "Slack" + "".join(part.capitalize() for part in error.split("_"))
    if error in RETRYABLE:
        return transient(message, kind=kind, delay=retry_after(retry_after_header))
    return permanent(message, kind=kind)
