"""A database made by ``create_all`` before migrations existed is adopted, its rows kept.

That database is revision 0001's schema without ``alembic_version`` (see ``legacy``), so these
tests hold whatever head is.
"""

from pathlib import Path

from sqlalchemy import Engine, inspect, text

from relay.storage import upgrade
from relay.storage.migrate import current, head
from tests.storage import legacy, revisions
from tests.storage.snapshot import drift, rows, version_rows


def test_a_pre_migration_database_is_adopted_without_loss(empty_db: Engine) -> None:
    legacy.build(empty_db)
    legacy.fill(empty_db)
    era = legacy.columns(empty_db)
    before = legacy.rows(empty_db, era)

    upgrade(empty_db)

    assert current(empty_db) == head()
    assert version_rows(empty_db) == [head()]
    assert legacy.rows(empty_db, era) == before  # every row, every column it had
    found, expected = legacy.added_columns(empty_db, era)
    assert found == expected  # the columns added since hold their server defaults
    assert drift(empty_db) == []
    # Today's models read every adopted row.
    read = rows(empty_db)
    assert {table: len(read[table]) for table in read} == {
        table: len(legacy.ROWS.get(table, [])) for table in read
    }


def test_tables_an_older_create_all_lacked_are_created(empty_db: Engine) -> None:
    missing = {"runsubscription", "subscriptionkey"}
    legacy.build(empty_db, lacking=missing)
    legacy.fill(empty_db)
    era = legacy.columns(empty_db)
    before = legacy.rows(empty_db, era)
    assert not missing & set(era)

    upgrade(empty_db)

    assert missing <= set(inspect(empty_db).get_table_names())
    assert drift(empty_db) == []
    assert legacy.rows(empty_db, era) == before
    assert rows(empty_db)["account"] == [("acme", "Acme", legacy.WHEN)]


def test_an_adopted_database_takes_later_revisions(empty_db: Engine, scripts: Path) -> None:
    legacy.build(empty_db)
    legacy.fill(empty_db)
    era = legacy.columns(empty_db)
    before = legacy.rows(empty_db, era)
    revisions.add(scripts, revisions.NICKNAME)

    upgrade(empty_db)

    assert version_rows(empty_db) == [revisions.ID]
    assert legacy.rows(empty_db, era) == before
    with empty_db.connect() as conn:
        assert conn.execute(text("SELECT id, nickname FROM account")).all() == [("acme", "Acme")]
