"""A revision that fails leaves the database as it was and names itself."""

from pathlib import Path

import pytest
from sqlalchemy import Engine, text

from relay.storage import upgrade
from relay.storage.migrate import MigrationFailed, current
from tests.storage import revisions
from tests.storage.snapshot import rows, schema, version_rows


def test_a_failing_revision_is_rolled_back_and_named(empty_db: Engine, scripts: Path) -> None:
    upgrade(empty_db)
    with empty_db.begin() as conn:
        conn.execute(
            text("INSERT INTO account (id, name, created_at) VALUES ('acme', 'Acme', CURRENT_TIMESTAMP)")
        )
    before_schema, before_rows = schema(empty_db), rows(empty_db)
    revisions.add(scripts, revisions.BROKEN)

    with pytest.raises(MigrationFailed) as failed:
        upgrade(empty_db)

    assert failed.value.revision == revisions.ID
    assert str(failed.value).startswith(
        f"migration {revisions.ID} (broken on purpose) failed and was rolled back"
    )
    assert f"stays at revision {revisions.HEAD}" in str(failed.value)
    assert "no_such_column" in str(failed.value)
    assert current(empty_db) == revisions.HEAD
    assert schema(empty_db) == before_schema  # no half_done table, no nickname column
    assert rows(empty_db) == before_rows


def test_revisions_before_the_failing_one_stay_applied(empty_db: Engine, scripts: Path) -> None:
    revisions.add(scripts, revisions.BROKEN)

    with pytest.raises(MigrationFailed) as failed:
        upgrade(empty_db)

    assert failed.value.revision == revisions.ID and failed.value.current == revisions.HEAD
    assert version_rows(empty_db) == [revisions.HEAD]
    assert "half_done" not in schema(empty_db)


def test_the_database_upgrades_once_the_revision_is_fixed(empty_db: Engine, scripts: Path) -> None:
    upgrade(empty_db)
    revisions.add(scripts, revisions.BROKEN)
    with pytest.raises(MigrationFailed):
        upgrade(empty_db)

    revisions.add(scripts, revisions.NICKNAME)
    upgrade(empty_db)

    assert current(empty_db) == revisions.ID
