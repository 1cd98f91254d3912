"""``relay db revision``: the next script, written from the models, applies and leaves no drift."""

from pathlib import Path

import pytest
from sqlalchemy import Column, Engine, MetaData
from sqlmodel.sql.sqltypes import AutoString, UTCDateTime

from relay.storage import db, upgrade
from relay.storage.migrate import current, revision
from tests.storage.revisions import HEAD
from tests.storage.snapshot import drift

# Relay numbers its revisions: the next one written follows head, whatever head is.
NEXT = f"{int(HEAD) + 1:04d}"


def _models_with_new_columns() -> MetaData:
    models = MetaData()
    for table in db.metadata().sorted_tables:
        table.to_metadata(models)
    models.tables["account"].append_column(Column("nickname", AutoString(), nullable=True))
    models.tables["account"].append_column(Column("renamed_at", UTCDateTime(), nullable=True))
    return models


def test_without_model_changes_the_next_revision_is_empty(scripts: Path) -> None:
    path = revision("nothing yet")

    assert path == scripts / f"{NEXT}_nothing_yet.py"
    text = path.read_text()
    assert f'revision: str = "{NEXT}"' in text and f'down_revision: str | None = "{HEAD}"' in text
    assert "op." not in text


def test_a_new_column_becomes_the_next_revision(
    empty_db: Engine, scripts: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    models = _models_with_new_columns()
    monkeypatch.setattr(db, "metadata", lambda: models)

    path = revision("account nickname")
    upgrade(empty_db)

    text = path.read_text()
    assert 'batch_op.add_column(sa.Column("nickname", sa.String(), nullable=True))' in text
    assert 'sa.Column("renamed_at", sa.DateTime(timezone=True), nullable=True)' in text
    assert "sqlmodel" not in text
    assert current(empty_db) == NEXT
    assert drift(empty_db, models) == []
