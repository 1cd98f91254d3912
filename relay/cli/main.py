"""The ``relay`` command: run the API, a worker or the whole dev stack; manage accounts and keys."""

import argparse
import logging
import sys
from collections.abc import Callable, Sequence
from datetime import timedelta

from relay.core.settings import Settings, get_settings


def _out(text: str) -> None:
    """What a script captures (stdout)."""
    sys.stdout.write(text + "\n")
    sys.stdout.flush()


def _note(text: str) -> None:
    """Context for a human (stderr), kept out of what scripts capture."""
    sys.stderr.write(text + "\n")
    sys.stderr.flush()


def _logging() -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")


def cmd_api(args: argparse.Namespace, settings: Settings) -> int:
    import uvicorn

    uvicorn.run(
        "api.app:create_app",
        factory=True,
        host=args.host or settings.api_host,
        port=args.port or settings.api_port,
        log_level="info",
    )
    return 0


def cmd_worker(args: argparse.Namespace, settings: Settings) -> int:
    from worker.main import run

    _logging()
    run(settings, shutdown_grace=timedelta(seconds=args.shutdown_grace))
    return 0


def cmd_dev(args: argparse.Namespace, settings: Settings) -> int:
    from relay.cli.dev import run_dev

    return run_dev(settings)


def cmd_accounts_create(args: argparse.Namespace, settings: Settings) -> int:
    from relay.services.accounts import create_account
    from relay.storage import create_db_engine, init_db

    engine = create_db_engine(settings.database_url)
    try:
        init_db(engine)
        account, key = create_account(engine, name=args.name)
    finally:
        engine.dispose()
    _note(f"created account {account.id} ({account.name}); its API key, shown only now:")
    _out(key)
    return 0


def cmd_secrets_rotate(args: argparse.Namespace, settings: Settings) -> int:
    from relay.storage import create_db_engine, init_db
    from relay.storage.secrets import SecretBox, rotate_all

    keys = settings.secret_key_list
    if not keys:
        _note("RELAY_SECRETS_KEYS is not set: nothing to encrypt with")
        return 2
    engine = create_db_engine(settings.database_url)
    try:
        init_db(engine)
        count = rotate_all(engine, SecretBox(keys))
    finally:
        engine.dispose()
    _note("secrets re-encrypted with the first key of RELAY_SECRETS_KEYS:")
    _out(str(count))
    return 0


def cmd_secrets_new_key(args: argparse.Namespace, settings: Settings) -> int:
    from relay.storage.secrets import new_key

    _out(new_key())
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

    accounts = commands.add_parser("accounts", help="manage accounts").add_subparsers(
        dest="accounts_command", required=True, metavar="ACTION"
    )
    create = accounts.add_parser(
        "create", help="create an account; prints its API key (only the key, on stdout)"
    )
    create.add_argument("name")
    create.set_defaults(handler=cmd_accounts_create)

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
    fresh.set_defaults(handler=cmd_secrets_new_key)
    return parser


def main(argv: Sequence[str] | None = None) -> None:
    """Console script ``relay``."""
    args = build_parser().parse_args(argv)
    handler: Callable[[argparse.Namespace, Settings], int] = args.handler
    sys.exit(handler(args, get_settings()))

