"""flow control: queued runs and the gates they pass

Runs held back by a definition's ``concurrency``/``throttle``/``debounce`` or the account cap
are recorded ``queued`` with the gate workflows they pass (``gates``) and when the first gate
took them (``gated_at``). Both nullable: existing runs had no flow control.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-29 22:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("run", schema=None) as batch_op:
        batch_op.add_column(sa.Column("gates", sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column("gated_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("run", schema=None) as batch_op:
        batch_op.drop_column("gated_at")
        batch_op.drop_column("gates")
