"""The ``relay`` command: run the API, a worker or the whole dev stack; manage accounts and keys."""

import argparse
import logging
import sys
from collections.abc import Callable, Sequence
from datetime import timedelta

from relay.cli import accounts, temporal_setup
from relay.cli.output import note, out
from relay.core.settings import Settings, SettingsError, get_settings


def _logging() -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("alembic").setLevel(logging.WARNING)  # Relay logs each revision it applies


def cmd_api(args: argparse.Namespace, settings: Settings) -> int:
    import uvicorn

    from relay.core.logs import logging_config

    uvicorn.run(
        "api.app:create_app",
        factory=True,
        host=args.host or settings.api_host,
        port=args.port or settings.api_port,
        workers=args.workers,
        log_level="info",
        # RELAY_LOG_FORMAT for every line, access lines included, in every worker process.
        log_config=logging_config(settings.log_format),
    )
    return 0


def cmd_worker(args: argparse.Namespace, settings: Settings) -> int:
    from worker.main import run
    from worker.telemetry import configure_worker_logging

    configure_worker_logging(settings)
    run(settings, shutdown_grace=timedelta(seconds=args.shutdown_grace))
    return 0


def cmd_dev(args: argparse.Namespace, settings: Settings) -> int:
    from relay.cli.dev import run_dev

    return run_dev(settings)


def cmd_secrets_rotate(args: argparse.Namespace, settings: Settings) -> int:
    from sqlmodel import Session

    from relay.cli.accounts import NoDatabase, existing_database
    from relay.storage.secrets import SecretBox, rotate_all
    from relay.storage.webhooks import rotate_webhook_secrets

    keys = settings.secrets_keys
    if not keys:
        note("RELAY_SECRETS_KEYS is not set: nothing to encrypt with")
        return 2
    try:
        # A new, empty database has nothing to rotate: refuse to create one (wrong folder).
        with existing_database(
            settings, create=False, command="secrets rotate", offer_create=False
        ) as engine:
            box = SecretBox(keys)
            count = rotate_all(engine, box)
            with Session(engine) as session:  # webhook signing secrets are encrypted alike
                count += rotate_webhook_secrets(session, box=box)
    except NoDatabase as exc:
        note(str(exc))
        return 2
    note("secrets (account and webhook) re-encrypted with the first key of RELAY_SECRETS_KEYS:")
    out(str(count))
    return 0


def cmd_secrets_new_key(args: argparse.Namespace, settings: Settings) -> int:
    from relay.storage.secrets import new_key

    out(new_key())
    return 0


def cmd_db_upgrade(args: argparse.Namespace, settings: Settings) -> int:
    from alembic.util import CommandError

    from relay.storage import create_db_engine
    from relay.storage.migrate import MigrationFailed, current, upgrade

    _logging()  # one line per revision applied
    engine = create_db_engine(settings.database_url)
    try:
        before = current(engine)
        upgrade(engine, args.revision)
        after = current(engine)
    except (MigrationFailed, CommandError) as exc:
        note(f"relay db upgrade: {exc}")
        return 1
    finally:
        engine.dispose()
    note(f"database at revision {after}" + (f", was {before}" if before != after else ", unchanged"))
    out(str(after))
    return 0


def cmd_db_current(args: argparse.Namespace, settings: Settings) -> int:
    from relay.storage import create_db_engine
    from relay.storage.migrate import current, head

    engine = create_db_engine(settings.database_url)
    try:
        at = current(engine)
    finally:
        engine.dispose()
    newest = head()
    note("up to date" if at == newest else f"behind: the newest revision is {newest} (`relay db upgrade`)")
    out(str(at))
    return 0


def cmd_db_revision(args: argparse.Namespace, settings: Settings) -> int:
    from relay.storage.migrate import revision

    path = revision(args.message)
    note("review it (autogenerate misses renames and data changes), then commit it:")
    out(str(path))
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="relay",
        description="Relay: user-defined workflows run durably on Temporal. "
        "Settings come from RELAY_* environment variables.",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    dev = commands.add_parser(
        "dev", help="run Temporal's dev server, the API and one worker (data under .relay/)"
    )
    dev.set_defaults(handler=cmd_dev)

    api = commands.add_parser("api", help="serve the HTTP API (RELAY_API_HOST:RELAY_API_PORT)")
    api.add_argument("--host", help="override RELAY_API_HOST")
    api.add_argument("--port", type=int, help="override RELAY_API_PORT")
    api.add_argument(
        "--workers",
        type=int,
        default=1,
        metavar="N",
        help="uvicorn worker processes on the one port (default 1); more pay off on PostgreSQL, "
        "where writers do not serialise as SQLite's do",
    )
    api.set_defaults(handler=cmd_api)

    worker = commands.add_parser("worker", help="run one worker on RELAY_TASK_QUEUE")
    worker.add_argument(
        "--shutdown-grace",
        type=float,
        default=30.0,
        metavar="SECONDS",
        help="on SIGINT/SIGTERM, how long in-flight activities may finish (default 30)",
    )
    worker.set_defaults(handler=cmd_worker)

    accounts.add_parser(commands)
    temporal_setup.add_parser(commands)

    secrets = commands.add_parser("secrets", help="manage secret encryption").add_subparsers(
        dest="secrets_command", required=True, metavar="ACTION"
    )
    rotate = secrets.add_parser(
        "rotate", help="re-encrypt every secret with the first RELAY_SECRETS_KEYS key"
    )
    rotate.set_defaults(handler=cmd_secrets_rotate)
    fresh = secrets.add_parser(
        "new-key", help="print a fresh encryption key (put it first in RELAY_SECRETS_KEYS)"
    )
    fresh.set_defaults(handler=cmd_secrets_new_key, needs_settings=False)

    db = commands.add_parser("db", help="manage the database schema (migrations)").add_subparsers(
        dest="db_command", required=True, metavar="ACTION"
    )
    upgrade = db.add_parser(
        "upgrade", help="apply the migrations RELAY_DATABASE_URL lacks; prints the revision reached"
    )
    upgrade.add_argument("revision", nargs="?", default="head", help="target revision (default: head)")
    upgrade.set_defaults(handler=cmd_db_upgrade)
    current = db.add_parser("current", help="print the database's revision ('None' before the first)")
    current.set_defaults(handler=cmd_db_current)
    revision = db.add_parser(
        "revision", help="write the next migration script from the models (for Relay's developers)"
    )
    revision.add_argument("-m", "--message", required=True, help="what the migration changes")
    revision.set_defaults(handler=cmd_db_revision, needs_settings=False)
    return parser


def main(argv: Sequence[str] | None = None) -> None:
    """Console script ``relay``."""
    args = build_parser().parse_args(argv)
    handler: Callable[[argparse.Namespace, Settings], int] = args.handler
    if not getattr(args, "needs_settings", True):
        # A fresh key must print while the environment still lacks a usable one.
        sys.exit(handler(args, Settings.model_construct()))
    try:
        settings = get_settings()
    except SettingsError as exc:
        note(f"relay: {exc}")
        sys.exit(2)
    sys.exit(handler(args, settings))
