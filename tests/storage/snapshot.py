"""What a database holds, in comparable form: its schema, its rows, its drift from the models."""

from typing import Any

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, MetaData, inspect, select, text

from relay.storage.db import metadata


def drift(engine: Engine, models: MetaData | None = None) -> list[Any]:
    """What autogenerate would still write: empty when the database matches the models."""
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        return list(compare_metadata(context, models if models is not None else metadata()))


def schema(engine: Engine) -> dict[str, dict[str, Any]]:
    """Every table but alembic_version, reflected: columns, keys, indexes, unique constraints."""
    found = inspect(engine)
    return {
        table: {
            "columns": [
                (c["name"], str(c["type"]), c["nullable"], c.get("default")) for c in found.get_columns(table)
            ],
            "primary_key": found.get_pk_constraint(table)["constrained_columns"],
            "foreign_keys": sorted(
                (tuple(fk["constrained_columns"]), fk["referred_table"], tuple(fk["referred_columns"]))
                for fk in found.get_foreign_keys(table)
            ),
            "indexes": sorted(
                (ix["name"], tuple(ix["column_names"]), bool(ix["unique"])) for ix in found.get_indexes(table)
            ),
            "unique": sorted(tuple(u["column_names"]) for u in found.get_unique_constraints(table)),
        }
        for table in sorted(set(found.get_table_names()) - {"alembic_version"})
    }


def rows(engine: Engine) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every Relay table, in a stable order."""
    with engine.connect() as conn:
        return {
            table.name: sorted((tuple(row) for row in conn.execute(select(table))), key=repr)
            for table in metadata().sorted_tables
        }


def version_rows(engine: Engine) -> list[str]:
    with engine.connect() as conn:
        return [row[0] for row in conn.execute(text("SELECT version_num FROM alembic_version"))]
