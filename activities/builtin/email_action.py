"""``email``: send a message over SMTP, from an account's stored template or inline text.

A class action: the worker constructs it with the SMTP server's settings and the database
its templates live in, so neither reaches the action context.

Named ``email_action`` so it does not shadow the standard library's ``email`` package.
"""

import asyncio
import hashlib
import smtplib
import ssl
from dataclasses import dataclass, field
from datetime import timedelta
from email.message import EmailMessage
from email.utils import formataddr, formatdate, getaddresses, make_msgid
from typing import Annotated, Any

from jinja2 import StrictUndefined, TemplateError
from jinja2.sandbox import SandboxedEnvironment
from pydantic import BaseModel, Field, WithJsonSchema, field_validator, model_validator
from sqlalchemy import Engine
from sqlmodel import Session
from temporalio import activity
from temporalio.exceptions import ApplicationError

from activities.context import ActionContext
from activities.errors import permanent, transient
from activities.registry import action
from relay.storage.tables import EmailTemplate

SMTP_TIMEOUT = 30.0
# Templates are written by the product's users: sandboxed, and a missing variable is an
# error naming it rather than a silently empty greeting (use `| default(...)` for optional ones).
_TEXT = SandboxedEnvironment(undefined=StrictUndefined, autoescape=False)
_HTML = SandboxedEnvironment(undefined=StrictUndefined, autoescape=True)


# Held as a list; the form a product UI renders also offers one comma-separated string.
Recipients = Annotated[
    list[str],
    WithJsonSchema({"anyOf": [{"type": "string"}, {"type": "array", "items": {"type": "string"}}]}),
]


class EmailInput(BaseModel):
    to: Recipients = Field(description="addresses: a list, or one string separated by commas")
    cc: Recipients = Field(default_factory=list)
    bcc: Recipients = Field(default_factory=list)
    template: str | None = Field(None, description="name of one of the account's email templates")
    subject: str | None = Field(None, description="required without a template; overrides it")
    text: str | None = Field(None, description="required without a template; overrides it")
    html: str | None = None
    context: dict[str, Any] = Field(
        default_factory=dict, description="variables the template sees (the event's data)"
    )

    @field_validator("to", "cc", "bcc", mode="before")
    @classmethod
    def _addresses(cls, value: Any) -> list[str]:
        if value is None:
            return []
        items = [value] if isinstance(value, str) else value
        if not isinstance(items, list) or not all(isinstance(i, str) for i in items):
            raise ValueError("give an address, a comma-separated string or a list of addresses")
        return [address for item in items for address in _parse(item)]

    @field_validator("context", mode="before")
    @classmethod
    def _no_context(cls, value: Any) -> Any:
        return {} if value is None else value

    @field_validator("to")
    @classmethod
    def _someone(cls, value: list[str]) -> list[str]:
        if not value:
            raise ValueError("at least one recipient is required")
        return value

    @model_validator(mode="after")
    def _content(self) -> "EmailInput":
        if self.template is None and (self.subject is None or self.text is None):
            raise ValueError("give a template, or both subject and text")
        return self


class EmailOutput(BaseModel):
    message_id: str
    recipients: list[str] = Field(description="every address the server accepted")
    refused: list[str] = Field(default_factory=list, description="addresses the server refused")


@dataclass(frozen=True, kw_only=True)
class SmtpConfig:
    """The SMTP server every email goes through, and the sender it comes from."""

    host: str
    port: int
    sender: str
    username: str | None = None
    password: str | None = field(default=None, repr=False)
    starttls: bool = False


@action(
    "email",
    input=EmailInput,
    output=EmailOutput,
    description="Send an email over SMTP, rendered from one of the account's templates "
    "with the event's data, or from inline subject and text.",
    timeout=timedelta(minutes=2),
    event_fields=("to", "cc", "bcc"),
    defaults={"context": "{{ event.data }}"},
)
class SendEmail:
    def __init__(self, *, smtp: SmtpConfig, engine: Engine) -> None:
        self._smtp = smtp
        # Only for the running account's templates (read by account id and name).
        self._engine = engine

    async def __call__(self, data: EmailInput, ctx: ActionContext) -> EmailOutput:
        subject, text, html = data.subject, data.text, data.html
        if data.template is not None:
            stored = await asyncio.to_thread(_load_template, self._engine, ctx.account_id, data.template)
            subject = subject if subject is not None else _render(_TEXT, stored.subject, data, "subject")
            text = text if text is not None else _render(_TEXT, stored.text, data, "text")
            if html is None and stored.html:
                html = _render(_HTML, stored.html, data, "html")
        assert subject is not None and text is not None  # guaranteed by EmailInput

        message = _message(self._smtp, data, subject=" ".join(subject.split()), text=text, html=html)
        envelope = list(dict.fromkeys(_bare(a) for a in data.to + data.cc + data.bcc))
        refused = await asyncio.to_thread(_send, self._smtp, message, envelope)
        return EmailOutput(
            message_id=message["Message-ID"],
            recipients=[r for r in envelope if r not in refused],
            refused=sorted(refused),
        )


def _parse(item: str) -> list[str]:
    """``"a@x.org, Bob <bob@y.org>"`` -> each address, checked, its display name kept."""
    found = []
    for name, addr in getaddresses([item]):
        if not name and not addr:
            continue  # an empty slot: "a@x.org, , b@y.org" or a trailing separator
        local, at, domain = addr.rpartition("@")
        if not (local and at and domain) or any(c.isspace() for c in addr):
            raise ValueError(f"{item!r} is not a valid email address list")
        found.append(formataddr((name, addr)) if name else addr)
    return found


def _load_template(engine: Engine, account_id: str, name: str) -> EmailTemplate:
    with Session(engine) as session:
        found = session.get(EmailTemplate, (account_id, name))
    if found is None:
        raise permanent(f"email template {name!r} does not exist", kind="UnknownEmailTemplate")
    return found


def _render(env: SandboxedEnvironment, source: str, data: EmailInput, part: str) -> str:
    try:
        return env.from_string(source).render(data.context)
    except TemplateError as exc:
        raise permanent(
            f"email template {data.template!r} ({part}): {exc}", kind="EmailTemplateError"
        ) from None


def _message(
    smtp: SmtpConfig, data: EmailInput, *, subject: str, text: str, html: str | None
) -> EmailMessage:
    message = EmailMessage()
    message["From"] = smtp.sender
    message["To"] = ", ".join(data.to)
    if data.cc:
        message["Cc"] = ", ".join(data.cc)
    message["Subject"] = subject
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = _message_id(smtp.sender)
    message.set_content(text)
    if html is not None:
        message.add_alternative(html, subtype="html")
    return message


def _message_id(sender: str) -> str:
    """The same id on every retry of one step, so receivers can drop a duplicate delivery."""
    domain = getaddresses([sender])[0][1].rpartition("@")[2] or "relay.local"
    if not activity.in_activity():
        return make_msgid(domain=domain)
    info = activity.info()
    key = f"{info.workflow_id}/{info.workflow_run_id}/{info.activity_id}"
    return f"<{hashlib.sha256(key.encode()).hexdigest()[:32]}@{domain}>"


def _send(smtp: SmtpConfig, message: EmailMessage, envelope: list[str]) -> set[str]:
    """Deliver ``message``; returns the addresses refused while others were accepted.
    Blocking: always called in a thread."""
    try:
        with _connect(smtp) as server:
            if smtp.starttls and smtp.port != 465:
                server.starttls(context=ssl.create_default_context())
                server.ehlo()
            if smtp.username:
                server.login(smtp.username, smtp.password or "")
            sender = getaddresses([smtp.sender])[0][1] or smtp.sender
            refused = server.send_message(message, from_addr=sender, to_addrs=envelope)
            return {_bare(a) for a in refused}
    except smtplib.SMTPRecipientsRefused as exc:
        raise _refused(exc.recipients) from None
    except smtplib.SMTPAuthenticationError as exc:
        raise permanent(f"SMTP login failed: {_reply(exc)}", kind="SmtpAuthError") from None
    except smtplib.SMTPNotSupportedError as exc:
        raise permanent(f"SMTP server does not support this: {exc}", kind="SmtpError") from None
    except smtplib.SMTPResponseException as exc:
        raise _by_code(exc.smtp_code, _reply(exc)) from None
    except (smtplib.SMTPException, OSError) as exc:
        raise transient(
            f"SMTP server {smtp.host}:{smtp.port} unreachable: {type(exc).__name__}: {exc}",
            kind="SmtpUnavailable",
        ) from None


def _connect(smtp: SmtpConfig) -> smtplib.SMTP:
    # Port 465 speaks TLS from the first byte (SMTPS); the others upgrade with STARTTLS.
    if smtp.port == 465:
        return smtplib.SMTP_SSL(
            smtp.host, smtp.port, timeout=SMTP_TIMEOUT, context=ssl.create_default_context()
        )
    return smtplib.SMTP(smtp.host, smtp.port, timeout=SMTP_TIMEOUT)


def _refused(recipients: dict[str, tuple[int, bytes]]) -> ApplicationError:
    listed = "; ".join(f"{addr}: {code} {_text(msg)}" for addr, (code, msg) in recipients.items())
    if all(code >= 500 for code, _ in recipients.values()):
        return permanent(f"SMTP server refused every recipient: {listed}", kind="SmtpRecipientsRefused")
    return transient(f"SMTP server refused recipients for now: {listed}", kind="SmtpRecipientsRefused")


def _by_code(code: int, reply: str) -> ApplicationError:
    # 5xx is the server's final answer; 4xx (mailbox busy, greylisting) may pass later.
    if code >= 500:
        return permanent(f"SMTP server refused the message: {reply}", kind="SmtpRefused")
    return transient(f"SMTP server deferred the message: {reply}", kind="SmtpDeferred")


def _reply(exc: smtplib.SMTPResponseException) -> str:
    return f"{exc.smtp_code} {_text(exc.smtp_error)}"


def _text(value: bytes | str) -> str:
    return value.decode("utf-8", errors="replace") if isinstance(value, bytes) else str(value)


def _bare(address: str) -> str:
    return getaddresses([address])[0][1] or address
