"""Alembic's entry point, run by ``relay.storage.migrate`` on the connection it hands over."""

import logging
from collections.abc import Collection, Mapping
from typing import Any, Literal

from alembic import context
from alembic.autogenerate.api import AutogenContext
from alembic.runtime.migration import MigrationContext, MigrationInfo
from sqlalchemy.types import TypeDecorator

from relay.storage.db import metadata


def render_item(type_: str, obj: Any, _autogen: AutogenContext) -> str | Literal[False]:
    # Scripts stay plain SQLAlchemy: SQLModel's types (AutoString, UTCDateTime) are written as
    # the column type they stand for, e.g. sa.DateTime(timezone=True).
    if type_ == "type" and isinstance(obj, TypeDecorator) and type(obj).__module__.startswith("sqlmodel"):
        return f"sa.{obj.impl_instance!r}"
    return False


def log_applied(
    ctx: MigrationContext, step: MigrationInfo, heads: Collection[str], run_args: Mapping[str, Any]
) -> None:
    # Alembic's own INFO lines are chatter on every start; a revision applied is worth one line.
    doc = getattr(step.up_revision, "doc", "")  # the script's first docstring line
    logging.getLogger("relay.storage.migrate").info("applied revision %s: %s", step.up_revision_id, doc)


def run() -> None:
    connection = context.config.attributes.get("connection")
    if connection is None:
        raise RuntimeError("Relay's migrations run through `relay db upgrade`, not the alembic command")
    context.configure(
        connection=connection,
        target_metadata=metadata(),
        # SQLite alters a table by copying it: future scripts get op.batch_alter_table.
        render_as_batch=True,
        # Each revision commits on its own: a failure rolls back that revision only.
        transaction_per_migration=True,
        # True on the SQLite connections relay.storage.migrate prepares; PostgreSQL's own default.
        transactional_ddl=connection.info.get("transactional_ddl"),
        compare_type=True,
        render_item=render_item,
        on_version_apply=log_applied,
    )
    with context.begin_transaction():
        context.run_migrations()


run()
