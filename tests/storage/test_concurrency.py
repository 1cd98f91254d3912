"""Processes that start together (``relay dev``'s API and worker, replicas) upgrade once."""

import subprocess
import sys
from pathlib import Path

from sqlalchemy import Engine

from tests.storage import revisions
from tests.storage.snapshot import version_rows

UPGRADE = """
import sys
from pathlib import Path
from relay.storage import create_db_engine, migrate
migrate.MIGRATIONS = Path(sys.argv[1])
migrate.upgrade(create_db_engine(sys.argv[2]))
"""


def test_upgraders_starting_together_all_succeed(empty_db: Engine, scripts: Path) -> None:
    # The test revision is slow and not idempotent: unlocked, a second upgrader would add its column twice.
    revisions.add(scripts, revisions.NICKNAME, pause=1.5)
    url = empty_db.url.render_as_string(hide_password=False)
    upgraders = [
        subprocess.Popen(
            [sys.executable, "-c", UPGRADE, str(scripts.parent), url], stderr=subprocess.PIPE, text=True
        )
        for _ in range(3)
    ]
    errors = [p.communicate(timeout=60)[1] for p in upgraders]

    assert [p.returncode for p in upgraders] == [0, 0, 0], errors
    assert version_rows(empty_db) == [revisions.ID]
