"""initial schema, as create_all made it before migrations existed

Every statement is IF NOT EXISTS, so this revision also adopts a database made that way: it
creates only what the database lacks and leaves existing tables and rows alone. Later revisions
are plain scripts written by ``relay db revision -m "..."``.

Revision ID: 0001
Revises:
Create Date: 2026-11-29
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "account",
        sa.Column("id", sa.String(), nullable=False),
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        if_not_exists=True,
    )
    op.create_table(
        "payloadblob",
        sa.Column("key", sa.String(), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("key"),
        if_not_exists=True,
    )
    op.create_table(
        "runsubscription",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.String(), nullable=False),
        sa.Column("event_name", sa.String(), nullable=False),
        sa.Column("kind", sa.String(), nullable=False),
        sa.Column("match_expr", sa.String(), nullable=True),
        sa.Column("match_value", sa.String(), nullable=True),
        sa.Column("run_id", sa.String(), nullable=False),
        sa.Column("temporal_workflow_id", sa.String(), nullable=False),
        sa.Column("trigger_event_id", sa.String(), nullable=True),
        sa.Column("open", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        if_not_exists=True,
    )
    op.create_index(
        "ix_runsubscription_run_id", "runsubscription", ["run_id"], unique=False, if_not_exists=True
    )
    op.create_index(
        "ix_subscription_lookup",
        "runsubscription",
        ["account_id", "event_name", "open", "match_expr", "match_value"],
        unique=False,
        if_not_exists=True,
    )

    op.create_table(
        "subscriptionkey",
        sa.Column("account_id", sa.String(), nullable=False),
        sa.Column("event_name", sa.String(), nullable=False),
        sa.Column("match_expr", sa.String(), nullable=False),
        sa.PrimaryKeyConstraint("account_id", "event_name", "match_expr"),
        if_not_exists=True,
    )
    op.create_table(
        "apikey",
        sa.Column("id", sa.String(), nullable=False),
        sa.Column("account_id", sa.String(), nullable=False),
        sa.Column("key_hash", sa.String(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["account.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        if_not_exists=True,
    )
    op.create_index("ix_apikey_account_id", "apikey", ["account_id"], unique=False, if_not_exists=True)
    op.create_index("ix_apikey_key_hash", "apikey", ["key_hash"], unique=True, if_not_exists=True)

    op.create_table(
        "emailtemplate",
        sa.Column("account_id", sa.String(), nullable=False),
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("subject", sa.String(), nullable=False),
        sa.Column("text", sa.String(), nullable=False),
        sa.Column("html", sa.String(), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["account.id"],
        ),
        sa.PrimaryKeyConstraint("account_id", "name"),
        if_not_exists=True,
    )
    op.create_table(
        "event",
        sa.Column("id", sa.String(), nullable=False),
        sa.Column("account_id", sa.String(), nullable=False),
        sa.Column("external_id", sa.String(), nullable=False),
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("dispatched", sa.Boolean(), nullable=False),
        sa.Column("resumed", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["account.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("account_id", "external_id"),
        if_not_exists=True,
    )
    op.create_index("ix_event_account_id", "event", ["account_id"], unique=False, if_not_exists=True)
    op.create_index(
        "ix_event_account_name",
        "event",
        ["account_id", "name", "received_at"],
        unique=False,
        if_not_exists=True,
    )
    op.create_index("ix_event_dispatched", "event", ["dispatched"], unique=False, if_not_exists=True)

    op.create_table(
        "secret",
        sa.Column("account_id", sa.String(), nullable=False),
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("ciphertext", sa.String(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["account.id"],
        ),
        sa.PrimaryKeyConstraint("account_id", "name"),
        if_not_exists=True,
    )
    op.create_table(
        "workflow",
        sa.Column("id", sa.String(), nullable=False),
        sa.Column("account_id", sa.String(), nullable=False),
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("draft", sa.JSON(), nullable=False),
        sa.Column("latest_version", sa.Integer(), nullable=False),
        sa.Column("live_version", sa.Integer(), nullable=True),
        sa.Column("trigger_event", sa.String(), nullable=True),
        sa.Column("archived", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["account.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        if_not_exists=True,
    )
    op.create_index("ix_workflow_account_id", "workflow", ["account_id"], unique=False, if_not_exists=True)
    op.create_index(
        "ix_workflow_trigger",
        "workflow",
        ["account_id", "trigger_event", "archived"],
        unique=False,
        if_not_exists=True,
    )

    op.create_table(
        "cronschedule",
        sa.Column("id", sa.String(), nullable=False),
        sa.Column("account_id", sa.String(), nullable=False),
        sa.Column("workflow_id", sa.String(), nullable=False),
        sa.Column("temporal_schedule_id", sa.String(), nullable=False),
        sa.Column("cron", sa.String(), nullable=False),
        sa.Column("timezone", sa.String(), nullable=True),
        sa.Column("input", sa.JSON(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["account.id"],
        ),
        sa.ForeignKeyConstraint(
            ["workflow_id"],
            ["workflow.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("temporal_schedule_id"),
        if_not_exists=True,
    )
    op.create_index(
        "ix_cronschedule_account_id", "cronschedule", ["account_id"], unique=False, if_not_exists=True
    )
    op.create_index(
        "ix_cronschedule_workflow_id", "cronschedule", ["workflow_id"], unique=False, if_not_exists=True
    )

    op.create_table(
        "run",
        sa.Column("id", sa.String(), nullable=False),
        sa.Column("account_id", sa.String(), nullable=False),
        sa.Column("workflow_id", sa.String(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.String(), nullable=True),
        sa.Column("temporal_workflow_id", sa.String(), nullable=False),
        sa.Column("input", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(), nullable=False),
        sa.Column("output", sa.JSON(), nullable=True),
        sa.Column("error", sa.String(), nullable=True),
        sa.Column("steps", sa.JSON(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["account.id"],
        ),
        sa.ForeignKeyConstraint(
            ["workflow_id"],
            ["workflow.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("event_id", "workflow_id"),
        sa.UniqueConstraint("temporal_workflow_id"),
        if_not_exists=True,
    )
    op.create_index(
        "ix_run_account_created", "run", ["account_id", "created_at"], unique=False, if_not_exists=True
    )
    op.create_index("ix_run_account_id", "run", ["account_id"], unique=False, if_not_exists=True)
    op.create_index("ix_run_event_id", "run", ["event_id"], unique=False, if_not_exists=True)
    op.create_index("ix_run_status", "run", ["status"], unique=False, if_not_exists=True)
    op.create_index("ix_run_workflow_id", "run", ["workflow_id"], unique=False, if_not_exists=True)

    op.create_table(
        "workflowversion",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workflow_id", sa.String(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("definition", sa.JSON(), nullable=False),
        sa.Column("compiled", sa.JSON(), nullable=False),
        sa.Column("trigger_event", sa.String(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["workflow_id"],
            ["workflow.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("workflow_id", "version"),
        if_not_exists=True,
    )
    op.create_index(
        "ix_workflowversion_workflow_id", "workflowversion", ["workflow_id"], unique=False, if_not_exists=True
    )


def downgrade() -> None:
    op.drop_table("workflowversion")
    op.drop_table("run")
    op.drop_table("cronschedule")
    op.drop_table("workflow")
    op.drop_table("secret")
    op.drop_table("event")
    op.drop_table("emailtemplate")
    op.drop_table("apikey")
    op.drop_table("subscriptionkey")
    op.drop_table("runsubscription")
    op.drop_table("payloadblob")
    op.drop_table("account")
