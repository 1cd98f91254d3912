"""A database as Relay made it before migrations existed, holding rows as that Relay wrote them.

Revision 0001 is by definition the schema ``create_all`` made then, and a released revision is never
edited: so the database is built by upgrading an empty one to 0001 and dropping ``alembic_version``.
Today's ``create_all`` would not do: the models include every later revision, whose tables and
columns would already exist. For the same reason the rows are written in SQL to the reflected
tables, with exactly the columns that schema has, not through today's models. Nothing here
depends on what head is.
"""

import re
from collections.abc import Collection
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Column, Engine, MetaData, cast, literal_column, select

from relay.storage import upgrade

PRE_MIGRATION = "0001"
WHEN = datetime(2026, 11, 1, 12, 30, tzinfo=UTC)

# Table -> column -> names, in the pre-migration schema: what ``columns`` returns before an upgrade.
Columns = dict[str, list[str]]

# One row or two in every table, every column given (the old models' defaults were Python-side).
ROWS: dict[str, list[dict[str, Any]]] = {
    "account": [{"id": "acme", "name": "Acme", "created_at": WHEN}],
    "apikey": [{"id": "key1", "account_id": "acme", "key_hash": "h1", "created_at": WHEN}],
    "emailtemplate": [
        {
            "account_id": "acme",
            "name": "welcome",
            "subject": "Hi",
            "text": "Hello",
            "html": None,
            "updated_at": WHEN,
        }
    ],
    "secret": [{"account_id": "acme", "name": "TOKEN", "ciphertext": "c", "updated_at": WHEN}],
    "workflow": [
        {
            "id": "wf1",
            "account_id": "acme",
            "name": "Onboard",
            "draft": {"steps": []},
            "latest_version": 1,
            "live_version": 1,
            "trigger_event": "signup",
            "archived": False,
            "created_at": WHEN,
            "updated_at": WHEN,
        }
    ],
    "workflowversion": [
        {
            "id": 1,
            "workflow_id": "wf1",
            "version": 1,
            "definition": {"a": 1},
            "compiled": {"b": 2},
            "trigger_event": "signup",
            "created_at": WHEN,
        }
    ],
    "cronschedule": [
        {
            "id": "cs1",
            "account_id": "acme",
            "workflow_id": "wf1",
            "temporal_schedule_id": "ts1",
            "cron": "0 9 * * *",
            "timezone": "Europe/Paris",
            "input": {"k": "v"},
            "version": 1,
            "created_at": WHEN,
        }
    ],
    "event": [
        {
            "id": f"ev{n}",
            "account_id": "acme",
            "external_id": f"x{n}",
            "name": "signup",
            "data": {"n": n},
            "received_at": WHEN,
            "dispatched": n == 1,
            "resumed": n - 1,
        }
        for n in (1, 2)
    ],
    "run": [
        {
            "id": "run1",
            "account_id": "acme",
            "workflow_id": "wf1",
            "version": 1,
            "event_id": "ev1",
            "temporal_workflow_id": "t1",
            "input": {"n": 1},
            "status": "completed",
            "output": {"ok": True},
            "error": None,
            "steps": [{"id": "s1", "status": "completed"}],
            "created_at": WHEN,
            "ended_at": WHEN,
        }
    ],
    "runsubscription": [
        {
            "id": 1,
            "account_id": "acme",
            "event_name": "paid",
            "kind": "wait",
            "match_expr": "data.id",
            "match_value": "7",
            "run_id": "run1",
            "temporal_workflow_id": "t1",
            "trigger_event_id": None,
            "open": True,
            "created_at": WHEN,
        }
    ],
    "subscriptionkey": [{"account_id": "acme", "event_name": "paid", "match_expr": "data.id"}],
    "payloadblob": [{"key": "k", "data": b"\x00\x01", "size": 2, "created_at": WHEN}],
}

# Server defaults whose value depends on the moment or a sequence: the rows get one, not a known one.
_VOLATILE = re.compile(r"now|current_|nextval|random|uuid", re.IGNORECASE)


def build(engine: Engine, *, lacking: Collection[str] = ()) -> None:
    """The pre-migration database; without the tables in ``lacking``, an older create_all's."""
    upgrade(engine, PRE_MIGRATION)
    dropped = MetaData()
    dropped.reflect(engine, only=["alembic_version", *lacking])
    dropped.drop_all(engine)


def fill(engine: Engine) -> None:
    """``ROWS``, into the tables the database has, in foreign-key order."""
    tables = _reflect(engine)
    with engine.begin() as conn:
        for table in tables.sorted_tables:
            for row in ROWS.get(table.name, []):
                # Every column, and only those: the rows are the pre-migration schema's.
                assert set(row) == set(table.columns.keys()), table.name
                conn.execute(table.insert().values(row))


def columns(engine: Engine) -> Columns:
    """Each table's columns: taken before the upgrade, the pre-migration schema's."""
    return {table.name: [c.name for c in table.columns] for table in _reflect(engine).sorted_tables}


def rows(engine: Engine, era: Columns) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of the tables in ``era``, in ``era``'s columns only, in a stable order."""
    tables = _reflect(engine)
    with engine.connect() as conn:
        return {
            name: sorted(
                (tuple(row) for row in conn.execute(select(*(tables.tables[name].c[c] for c in names)))),
                key=repr,
            )
            for name, names in era.items()
        }


def added_columns(engine: Engine, era: Columns) -> tuple[dict[str, list[Any]], dict[str, list[Any]]]:
    """For every column added since ``era`` to a table it had: the values the rows already there
    hold, and what they should hold, the column's server default (None without one) as the
    database itself evaluates it."""
    tables = _reflect(engine)
    found: dict[str, list[Any]] = {}
    expected: dict[str, list[Any]] = {}
    with engine.connect() as conn:
        for name, names in era.items():
            for column in tables.tables[name].columns:
                if column.name in names:
                    continue
                key = f"{name}.{column.name}"
                values = list(conn.execute(select(column)).scalars())
                default = _default_sql(column)
                if default is None:
                    want = None
                elif _VOLATILE.search(default):
                    values, want = [value is not None for value in values], True
                else:
                    want = conn.execute(select(cast(literal_column(default), column.type))).scalar_one()
                found[key], expected[key] = values, [want] * len(values)
    return found, expected


def _default_sql(column: Column[Any]) -> str | None:
    """A reflected column's server default, as SQL text."""
    clause = column.server_default
    return None if clause is None else str(clause.arg.text)  # type: ignore[attr-defined]


def _reflect(engine: Engine) -> MetaData:
    tables = MetaData()
    tables.reflect(engine)
    if "alembic_version" in tables.tables:
        tables.remove(tables.tables["alembic_version"])
    return tables
