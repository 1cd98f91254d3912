"""What ``relay api``, ``worker`` and ``dev`` do at start, with and without RELAY_AUTO_MIGRATE."""

from pathlib import Path

import pytest
from alembic.util import CommandError
from sqlalchemy import Engine, inspect

from relay.storage import ensure_schema, upgrade
from relay.storage.migrate import current, head
from tests.storage import revisions


def test_auto_migrate_upgrades(empty_sqlite: Engine) -> None:
    ensure_schema(empty_sqlite, auto_migrate=True)

    assert current(empty_sqlite) == head()


def test_without_auto_migrate_the_schema_is_left_alone_and_reported(
    empty_sqlite: Engine, caplog: pytest.LogCaptureFixture
) -> None:
    ensure_schema(empty_sqlite, auto_migrate=False)

    assert inspect(empty_sqlite).get_table_names() == []
    assert f"this Relay expects {head()}: run `relay db upgrade`" in caplog.text


def test_a_database_newer_than_the_code_is_used_as_it_is(
    empty_sqlite: Engine, scripts: Path, caplog: pytest.LogCaptureFixture
) -> None:
    added = revisions.add(scripts, revisions.NICKNAME)
    upgrade(empty_sqlite)
    added.unlink()  # this process is the previous release

    ensure_schema(empty_sqlite, auto_migrate=True)

    assert current(empty_sqlite) == revisions.ID
    assert f"database at revision {revisions.ID}, newer than this Relay's {revisions.HEAD}" in caplog.text
    with pytest.raises(CommandError):  # an explicit upgrade says it cannot
        upgrade(empty_sqlite)
