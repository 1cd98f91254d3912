"""``relay db upgrade`` and ``relay db current`` as real processes on a temporary SQLite file."""

from pathlib import Path

from relay.storage import create_db_engine
from relay.storage.migrate import head
from tests.storage.revisions import SHIPPED
from tests.storage.snapshot import drift
from tests.support.procs import relay


def test_db_upgrade_then_current(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'relay.db'}"

    fresh = relay("db", "current", database_url=url)
    upgraded = relay("db", "upgrade", database_url=url)
    again = relay("db", "upgrade", database_url=url)
    at = relay("db", "current", database_url=url)

    assert fresh.returncode == 0 and fresh.stdout.strip() == "None", fresh.stderr
    assert "relay db upgrade" in fresh.stderr
    assert upgraded.returncode == 0, upgraded.stderr
    assert upgraded.stdout.strip() == head()
    for script in SHIPPED.walk_revisions():  # each revision, once, by its id and first line
        assert upgraded.stderr.count(f"applied revision {script.revision}: {script.doc}") == 1
    assert again.returncode == 0 and "unchanged" in again.stderr
    assert at.stdout.strip() == head() and "up to date" in at.stderr
    engine = create_db_engine(url)
    assert drift(engine) == []
    engine.dispose()


def test_db_upgrade_to_an_unknown_revision_fails_cleanly(tmp_path: Path) -> None:
    done = relay("db", "upgrade", "9999", database_url=f"sqlite:///{tmp_path / 'relay.db'}")

    assert done.returncode == 1
    assert "9999" in done.stderr and "Traceback" not in done.stderr


def test_other_commands_leave_the_schema_alone_when_auto_migrate_is_off(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'relay.db'}"

    done = relay("accounts", "create", "Acme", database_url=url, auto_migrate="false")

    assert done.returncode != 0  # no tables: the operator has not run `relay db upgrade`
    assert relay("db", "current", database_url=url).stdout.strip() == "None"
