"""Revision 0003 makes account names unique: accounts that already shared a name keep their ids
and keys, the oldest keeps the name, later ones are renamed ``<name> (<id>)``."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.exc import IntegrityError

from relay.storage import upgrade
from tests.storage.snapshot import drift

T0 = datetime(2026, 1, 1, tzinfo=UTC)


def test_duplicate_names_are_renamed_and_then_refused(empty_db: Engine) -> None:
    upgrade(empty_db, "0002")
    with empty_db.begin() as conn:
        for n, (account_id, name) in enumerate(
            [("b-2", "Acme"), ("a-1", "Acme"), ("c-3", "Globex"), ("d-4", "Acme")]
        ):
            conn.execute(
                text("INSERT INTO account (id, name, created_at) VALUES (:id, :name, :at)"),
                {"id": account_id, "name": name, "at": T0 + timedelta(minutes=n)},
            )
        conn.execute(
            text("INSERT INTO apikey (id, account_id, key_hash, created_at) VALUES ('k', 'a-1', 'h', :at)"),
            {"at": T0},
        )

    upgrade(empty_db)

    with empty_db.connect() as conn:
        names = dict(conn.execute(text("SELECT id, name FROM account")).all())
        keys = conn.execute(text("SELECT account_id, prefix, revoked_at FROM apikey")).all()
    assert names == {"b-2": "Acme", "a-1": "Acme (a-1)", "c-3": "Globex", "d-4": "Acme (d-4)"}
    assert keys == [("a-1", None, None)]  # the old key still authenticates; it has no prefix
    assert drift(empty_db) == []
    with pytest.raises(IntegrityError), empty_db.begin() as conn:
        conn.execute(
            text("INSERT INTO account (id, name, created_at) VALUES ('e-5', 'Globex', :at)"), {"at": T0}
        )
