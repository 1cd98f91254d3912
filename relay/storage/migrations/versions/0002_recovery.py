"""recovery: event depth and dispatch retries, rerun_of, bulk jobs

Events carry their chain depth and the sweeper's retry state; runs say which run they rerun;
bulk jobs get their table. Columns are added with server defaults, so existing rows stay valid.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-29 20:26:55.776745
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "job",
        sa.Column("id", sa.String(), nullable=False),
        sa.Column("account_id", sa.String(), nullable=False),
        sa.Column("action", sa.String(), nullable=False),
        sa.Column("filter", sa.JSON(), nullable=False),
        sa.Column("run_ids", sa.JSON(), nullable=False),
        sa.Column("total", sa.Integer(), nullable=False),
        sa.Column("done", sa.Integer(), nullable=False),
        sa.Column("failed", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["account.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("job", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_job_account_id"), ["account_id"], unique=False)

    with op.batch_alter_table("event", schema=None) as batch_op:
        batch_op.add_column(sa.Column("depth", sa.Integer(), server_default="0", nullable=False))
        batch_op.add_column(sa.Column("refused", sa.String(), nullable=True))
        batch_op.add_column(sa.Column("dispatch_attempts", sa.Integer(), server_default="0", nullable=False))
        batch_op.add_column(sa.Column("dispatch_error", sa.String(), nullable=True))
        batch_op.add_column(sa.Column("next_dispatch_at", sa.DateTime(timezone=True), nullable=True))

    with op.batch_alter_table("run", schema=None) as batch_op:
        batch_op.add_column(sa.Column("rerun_of", sa.String(), nullable=True))
        batch_op.create_index(batch_op.f("ix_run_rerun_of"), ["rerun_of"], unique=False)



def downgrade() -> None:
    with op.batch_alter_table("run", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_run_rerun_of"))
        batch_op.drop_column("rerun_of")

    with op.batch_alter_table("event", schema=None) as batch_op:
        batch_op.drop_column("next_dispatch_at")
        batch_op.drop_column("dispatch_error")
        batch_op.drop_column("dispatch_attempts")
        batch_op.drop_column("refused")
        batch_op.drop_column("depth")

    with op.batch_alter_table("job", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_job_account_id"))

    op.drop_table("job")
