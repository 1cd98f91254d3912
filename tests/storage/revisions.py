"""A throw-away revision that tests add to a copy of the scripts (the ``scripts`` fixture).

It revises Relay's head whatever that is, and its id cannot collide with a real revision's
(Relay numbers them 0001, 0002, ...). The head is read from the shipped scripts, not the copy,
so that writing one test revision over another (broken, then fixed) keeps the same parent.
"""

from pathlib import Path

from alembic.script import ScriptDirectory

from relay.storage import migrate

SHIPPED = ScriptDirectory(str(Path(migrate.__file__).with_name("migrations")))
_head = SHIPPED.get_current_head()
assert _head is not None, "Relay ships at least one revision"
HEAD: str = _head
ID = "t001"

_HEADER = '''"""{doc}"""

import time

import sqlalchemy as sa
from alembic import op

revision = "{id}"
down_revision = "{head}"
branch_labels = None
depends_on = None

'''

# A column added and filled, in batch mode (SQLite copies the table), as a real revision would be.
NICKNAME = (
    _HEADER.format(doc="account nickname", id=ID, head=HEAD)
    + """
def upgrade() -> None:
    time.sleep({pause})  # widens the window in which concurrent upgraders would collide
    with op.batch_alter_table("account") as batch_op:
        batch_op.add_column(sa.Column("nickname", sa.String(), nullable=True))
        batch_op.alter_column("name", existing_type=sa.String(), nullable=True)
    op.execute("UPDATE account SET nickname = name")
"""
)

# The same work, then a statement that fails: none of it may remain.
BROKEN = (
    _HEADER.format(doc="broken on purpose", id=ID, head=HEAD)
    + """
def upgrade() -> None:
    op.create_table("half_done", sa.Column("id", sa.Integer(), primary_key=True))
    with op.batch_alter_table("account") as batch_op:
        batch_op.add_column(sa.Column("nickname", sa.String(), nullable=True))
        batch_op.alter_column("name", existing_type=sa.String(), nullable=True)
    op.execute("UPDATE account SET nickname = name")
    op.execute("SELECT no_such_column FROM account")
"""
)


def add(versions: Path, script: str, *, pause: float = 0.0) -> Path:
    path = versions / f"{ID}_test.py"
    path.write_text(script.replace("{pause}", str(pause)))
    return path
