"""Schema migrations (Alembic): bring a database to the newest revision, one upgrader at a time.

The scripts are in ``relay/storage/migrations/versions``; ``relay db revision -m`` writes the next.
"""

import fcntl
import importlib.util
import logging
import sys
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import Script, ScriptDirectory
from alembic.util import CommandError
from sqlalchemy import Connection, Engine, create_engine, event, inspect, text
from sqlalchemy.pool import NullPool

from relay.storage.db import create_db_engine

log = logging.getLogger(__name__)

MIGRATIONS = Path(__file__).with_name("migrations")

# Alembic hands env.py its context through a module global: one upgrade per process at a time.
_IN_PROCESS = threading.Lock()
# A session lock keyed by schema: upgraders of one schema queue, other schemas do not wait.
_PG_LOCK = "SELECT pg_advisory_lock(hashtext('relay.migrate.' || current_schema()))"
_PG_UNLOCK = "SELECT pg_advisory_unlock(hashtext('relay.migrate.' || current_schema()))"
_RUFF_HOOK = {
    "hooks": "ruff",
    "ruff.type": "exec",
    "ruff.executable": sys.executable,
    "ruff.options": "-m ruff format REVISION_SCRIPT_FILENAME",
}


class MigrationFailed(RuntimeError):
    """A revision failed: its changes were rolled back, the database stays at ``current``."""

    def __init__(self, failed: Script | None, current: str | None, cause: Exception) -> None:
        self.revision = failed.revision if failed else None
        self.current = current
        name = f"{failed.revision} ({failed.doc})" if failed else "?"
        reason = str(cause).splitlines()[0] if str(cause) else type(cause).__name__
        super().__init__(
            f"migration {name} failed and was rolled back; "
            f"the database stays at revision {current or 'none'}: {reason}"
        )


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Bring the database to ``revision``. A database made by ``create_all`` before migrations
    existed is adopted: revision 0001 creates only what it lacks, and nothing is lost."""
    with _one_upgrader(engine) as connection:
        if _unversioned(connection):
            log.info("adopting a database created before migrations existed")
        try:
            command.upgrade(_config(connection), revision)
        except CommandError:  # an unknown target or database revision: nothing ran
            raise
        except Exception as exc:
            failure = _failure(connection, revision, exc)
            if failure is None:
                raise
            raise failure from exc


def ensure_schema(engine: Engine, *, auto_migrate: bool) -> None:
    """What every command that opens the database does first: upgrade it; or, with
    RELAY_AUTO_MIGRATE=false (the operator runs ``relay db upgrade``), report one behind the code.

    A database already at a revision newer than this code (a rolling deploy: the new release
    migrated, this older process restarts) is used as it is."""
    at, newest = current(engine), head()
    if at is not None and not _known(at):
        log.warning("database at revision %s, newer than this Relay's %s: using it as it is", at, newest)
    elif auto_migrate:
        upgrade(engine)
    elif at != newest:
        log.warning("database at revision %s, this Relay expects %s: run `relay db upgrade`", at, newest)


def current(engine: Engine) -> str | None:
    """The database's revision; None before the first upgrade."""
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def head() -> str | None:
    """The newest revision of the scripts."""
    return _scripts().get_current_head()


def revision(message: str) -> Path:
    """Write the next script: what the models have and a database at head lacks (autogenerate).

    The database compared is a scratch SQLite file brought to head, so the script does not depend
    on the state of anyone's own database. Review it: autogenerate misses renames."""
    with tempfile.TemporaryDirectory() as scratch_dir:
        scratch = create_db_engine(f"sqlite:///{scratch_dir}/scratch.db")
        try:
            upgrade(scratch)
            with scratch.connect() as connection:
                config = _config(connection)
                if importlib.util.find_spec("ruff"):  # the tests' lint tool: format what it writes
                    for option, value in _RUFF_HOOK.items():
                        config.set_section_option("post_write_hooks", option, value)
                with _IN_PROCESS:
                    written = command.revision(config, message=message, autogenerate=True, rev_id=_next_id())
        finally:
            scratch.dispose()
    script = written[0] if isinstance(written, list) else written
    assert script is not None and script.path
    return Path(script.path)


def _config(connection: Connection | None = None) -> Config:
    # No alembic.ini: the scripts ship inside the package and env.py gets the connection here.
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    return config


def _scripts() -> ScriptDirectory:
    return ScriptDirectory.from_config(_config())


def _next_id() -> str:
    return f"{sum(1 for _ in _scripts().walk_revisions()) + 1:04d}"


def _known(revision: str) -> bool:
    try:
        return _scripts().get_revision(revision) is not None
    except CommandError:
        return False


def _unversioned(connection: Connection) -> bool:
    tables = inspect(connection).get_table_names()
    # Alembic runs each revision in its own transaction only on a connection not already in one.
    connection.rollback()
    return "account" in tables and "alembic_version" not in tables


def _failure(connection: Connection, target: str, exc: Exception) -> MigrationFailed | None:
    """The failure, naming the revision that failed; None when the database cannot even say
    where it stands (the connection is gone): the cause is then all there is to tell."""
    try:
        connection.rollback()
        at = MigrationContext.configure(connection).get_current_revision()
        connection.rollback()
    except Exception:
        return None
    try:
        pending = list(_scripts().iterate_revisions(target, at or "base"))  # newest first
    except Exception:  # the scripts cannot say which revision was next
        pending = []
    return MigrationFailed(pending[-1] if pending else None, at, exc)


@contextmanager
def _one_upgrader(engine: Engine) -> Iterator[Connection]:
    """A connection to migrate on, held by one upgrader at a time (API and worker start together)."""
    with _IN_PROCESS:
        with _one_upgrader_across_processes(engine) as connection:
            yield connection


@contextmanager
def _one_upgrader_across_processes(engine: Engine) -> Iterator[Connection]:
    database = engine.url.database
    if engine.dialect.name == "postgresql":
        with engine.connect() as connection, _advisory_lock(connection):
            yield connection
    elif engine.dialect.name == "sqlite" and database and database != ":memory:":
        with _file_lock(Path(f"{database}.migrate-lock")):
            migrator = _sqlite_migrator(engine)
            try:
                with migrator.connect() as connection:
                    yield connection
            finally:
                migrator.dispose()
    else:  # an in-memory database has a single user
        with engine.connect() as connection:
            yield connection


@contextmanager
def _advisory_lock(connection: Connection) -> Iterator[None]:
    connection.execute(text(_PG_LOCK))
    connection.commit()  # a session lock outlives the transaction that took it
    try:
        yield
    finally:
        try:
            connection.rollback()
            connection.execute(text(_PG_UNLOCK))
            connection.commit()
        except Exception:
            # Ending the session frees the lock: this connection must not go back to the pool.
            log.exception("releasing the migration lock failed; closing its connection")
            connection.invalidate()


@contextmanager
def _file_lock(path: Path) -> Iterator[None]:
    # A file beside the database: SQLite's own locks are per transaction, an upgrade spans several.
    with path.open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _sqlite_migrator(engine: Engine) -> Engine:
    """An engine on the same SQLite file whose transactions include DDL, so a failed revision
    rolls back: pysqlite otherwise commits on its own before CREATE, ALTER and DROP."""
    migrator = create_engine(engine.url, poolclass=NullPool, connect_args={"timeout": 30})
    event.listen(migrator, "connect", _sqlite_manual_transactions)
    event.listen(migrator, "begin", _sqlite_begin)
    return migrator


def _sqlite_manual_transactions(dbapi_connection, record) -> None:  # DB-API objects
    dbapi_connection.isolation_level = None  # the driver leaves BEGIN/COMMIT to us
    record.info["transactional_ddl"] = True  # read by env.py
    dbapi_connection.execute("PRAGMA journal_mode=WAL")
    # foreign_keys stays off (SQLite's default): batch migrations copy, drop and rename tables.


def _sqlite_begin(connection: Connection) -> None:
    # IMMEDIATE takes the write lock up front (waiting out the busy timeout) instead of failing
    # halfway through a revision when a running API or worker writes at the same moment.
    connection.exec_driver_sql("BEGIN IMMEDIATE")
