"""accounts: unique names, revocable keys; run webhooks

Account names become unique. Accounts that already share a name keep their ids and keys; the
oldest keeps the name, each later one is renamed ``<name> (<id>)`` (ids are unique, so the new
names are too) and the rename is logged. Keys get a nullable ``prefix`` (keys made earlier have
none: their plaintext was never stored) and ``revoked_at``. Webhooks get their table.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-29 22:30:00
"""

import logging
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

log = logging.getLogger("relay.storage.migrate")


def upgrade() -> None:
    _rename_duplicate_account_names()
    with op.batch_alter_table("account", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_account_name"), ["name"], unique=True)

    with op.batch_alter_table("apikey", schema=None) as batch_op:
        batch_op.add_column(sa.Column("prefix", sa.String(), nullable=True))
        batch_op.add_column(sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.create_index(batch_op.f("ix_apikey_prefix"), ["prefix"], unique=False)

    op.create_table(
        "webhook",
        sa.Column("account_id", sa.String(), nullable=False),
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("url", sa.String(), nullable=False),
        sa.Column("events", sa.JSON(), nullable=False),
        sa.Column("secret_ciphertext", sa.String(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["account_id"], ["account.id"]),
        sa.PrimaryKeyConstraint("account_id", "name"),
    )


def downgrade() -> None:
    op.drop_table("webhook")
    with op.batch_alter_table("apikey", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_apikey_prefix"))
        batch_op.drop_column("revoked_at")
        batch_op.drop_column("prefix")
    with op.batch_alter_table("account", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_account_name"))


def _rename_duplicate_account_names() -> None:
    connection = op.get_bind()
    rows = connection.execute(sa.text("SELECT id, name FROM account ORDER BY created_at, id")).all()
    seen: set[str] = set()
    for account_id, name in rows:
        if name not in seen:
            seen.add(name)
            continue
        renamed = f"{name} ({account_id})"
        connection.execute(
            sa.text("UPDATE account SET name = :name WHERE id = :id"), {"name": renamed, "id": account_id}
        )
        seen.add(renamed)
        log.warning(
            "account %s shared the name %r with an older account: renamed %r", account_id, name, renamed
        )
