"""Which runs wait for which events: written with the run, read by intake through an index."""

from datetime import datetime

from sqlalchemy import Index
from sqlmodel import Field, SQLModel

from relay.storage.tables import utcnow


class RunSubscription(SQLModel, table=True):
    """A run's interest in an event: a ``wait_for_event`` step (kind ``wait``) or ``cancel_on``."""

    __table_args__ = (
        Index("ix_subscription_lookup", "account_id", "event_name", "open", "match_expr", "match_value"),
    )

    id: int | None = Field(default=None, primary_key=True)
    account_id: str = Field(index=False)
    event_name: str
    kind: str  # wait | cancel
    # The match expression (e.g. "data.upload_id") and its value on the run's trigger, as JSON.
    match_expr: str | None = None
    match_value: str | None = None
    run_id: str = Field(index=True)
    temporal_workflow_id: str
    # The event that started the run: it is never delivered back to that run.
    trigger_event_id: str | None = None
    open: bool = True
    created_at: datetime = Field(default_factory=utcnow)


class SubscriptionKey(SQLModel, table=True):
    """Which match expressions an account's runs use per event name: a handful of rows, read
    first by intake so every subscriber lookup is an exact index match."""

    account_id: str = Field(primary_key=True)
    event_name: str = Field(primary_key=True)
    match_expr: str = Field(primary_key=True)  # "" when the wait has no match
