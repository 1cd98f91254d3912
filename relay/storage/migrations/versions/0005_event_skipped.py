"""events: the workflows an event did not start because their trigger.if failed on it

``skipped`` lists ``{"workflow_id", "reason"}`` for each live workflow whose condition could
not be evaluated on the event (an error, or over the expression budget). Nullable: existing
events had none recorded.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-29 22:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("event", schema=None) as batch_op:
        batch_op.add_column(sa.Column("skipped", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("event", schema=None) as batch_op:
        batch_op.drop_column("skipped")
