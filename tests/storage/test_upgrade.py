"""An empty database upgraded to head is what the models describe and what create_all makes."""

from sqlalchemy import Engine, text

from relay.storage import upgrade
from relay.storage.db import metadata
from relay.storage.migrate import current, head
from tests.storage.snapshot import drift, schema, version_rows


def test_an_empty_database_upgrades_to_head_without_drift(empty_db: Engine) -> None:
    assert current(empty_db) is None

    upgrade(empty_db)

    assert current(empty_db) == head()
    assert version_rows(empty_db) == [head()]
    assert drift(empty_db) == []
    assert set(schema(empty_db)) == {table.name for table in metadata().sorted_tables}


def test_a_second_upgrade_changes_nothing(empty_db: Engine) -> None:
    upgrade(empty_db)
    before = schema(empty_db)

    upgrade(empty_db)

    assert schema(empty_db) == before
    assert version_rows(empty_db) == [head()]


def test_head_builds_what_create_all_builds(empty_db: Engine) -> None:
    upgrade(empty_db)
    migrated = schema(empty_db)
    metadata().drop_all(empty_db)
    with empty_db.begin() as conn:
        conn.execute(text("DROP TABLE alembic_version"))

    metadata().create_all(empty_db)

    assert schema(empty_db) == migrated
