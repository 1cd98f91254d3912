"""``relay accounts list | create | new-key | revoke-key``, and the guard every command that
only manages data goes through: it never creates a database it was not asked to.

Run from the wrong folder, the default SQLite URL (``.relay/relay.db``, relative) names a file
that does not exist; pointed at a new PostgreSQL schema, there are no tables. Either way a
command would quietly create an empty database and, for ``accounts create``, print a key the
running API has never heard of. It says so and stops instead, unless ``--create`` is given.
"""

import argparse
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from relay.cli.output import note, out
from relay.core.errors import RelayError
from relay.core.settings import Settings

if TYPE_CHECKING:  # the CLI imports SQLAlchemy only for the commands that use it
    from sqlalchemy import Engine

# Exit codes: 1 the request was refused (no such account, duplicate name), 2 the environment
# is wrong (no database where one was expected).
REFUSED, NO_DATABASE = 1, 2


class NoDatabase(Exception):
    """The settings point at a database that does not exist yet (or holds no tables)."""


def missing_database(url: str, engine: "Engine | None" = None) -> str | None:
    """Why ``url`` is not an existing Relay database (a sentence), or None when it is one.
    Checked before the engine exists for SQLite: connecting would create the file."""
    from sqlalchemy import inspect
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        database = parsed.database or ""
        if database and database != ":memory:" and not Path(database).exists():
            return f"there is no database at {Path(database).resolve()}"
    if engine is not None and "account" not in inspect(engine).get_table_names():
        return f"the database {parsed.render_as_string(hide_password=True)} has no Relay tables"
    return None


@contextmanager
def existing_database(
    settings: Settings, *, create: bool, command: str, offer_create: bool = True
) -> Iterator["Engine"]:
    """An engine on RELAY_DATABASE_URL brought to the current schema, refusing (``NoDatabase``)
    to make a new, empty database unless ``create`` (a flag the command offers if
    ``offer_create``)."""
    from relay.storage import create_db_engine, ensure_schema

    url = settings.database_url
    problem = None if create else missing_database(url)
    if problem:
        raise NoDatabase(_refusal(command, problem, offer_create))
    engine = create_db_engine(url)
    try:
        problem = None if create else missing_database(url, engine)
        if problem:
            raise NoDatabase(_refusal(command, problem, offer_create))
        ensure_schema(engine, auto_migrate=settings.auto_migrate)
        yield engine
    finally:
        engine.dispose()


def _refusal(command: str, problem: str, offer_create: bool) -> str:
    message = (
        f"relay {command}: {problem} (RELAY_DATABASE_URL). Run it where Relay's data is "
        "(the folder you ran `relay dev` in) or set RELAY_DATABASE_URL"
    )
    return message + ("; to start a new, empty database here, pass --create" if offer_create else "")


def cmd_list(args: argparse.Namespace, settings: Settings) -> int:
    from relay.services.accounts import list_accounts

    with existing_database(settings, create=args.create, command="accounts list") as engine:
        accounts = list_accounts(engine)
    note("ID\tNAME\tCREATED\tKEYS (prefixes; revoked ones marked)")
    for account in accounts:
        keys = ", ".join(k.label + (" (revoked)" if k.revoked_at else "") for k in account.keys)
        out(f"{account.id}\t{account.name}\t{account.created_at:%Y-%m-%d %H:%M}\t{keys or '-'}")
    if not accounts:
        note("no accounts yet: `relay accounts create NAME`")
    return 0


def cmd_create(args: argparse.Namespace, settings: Settings) -> int:
    from relay.services.accounts import create_account

    with existing_database(settings, create=args.create, command="accounts create") as engine:
        account, key = create_account(engine, name=args.name)
    note(f"created account {account.id} ({account.name}); its API key, shown only now:")
    out(key)
    return 0


def cmd_new_key(args: argparse.Namespace, settings: Settings) -> int:
    from relay.services.accounts import new_key

    with existing_database(settings, create=args.create, command="accounts new-key") as engine:
        key = new_key(engine, account_id=args.account_id)
    note(f"a new API key for account {args.account_id}, shown only now:")
    out(key)
    return 0


def cmd_revoke_key(args: argparse.Namespace, settings: Settings) -> int:
    from relay.services.accounts import revoke_key

    with existing_database(settings, create=args.create, command="accounts revoke-key") as engine:
        key = revoke_key(engine, ref=args.key)
    note(f"revoked key {key.label}: it authenticates nothing from now on")
    out(key.label)
    return 0


Handler = Callable[[argparse.Namespace, Settings], int]


def guarded(handler: Handler) -> Handler:
    """``handler`` with its refusals as one line on stderr and an exit code, not a traceback."""

    def run(args: argparse.Namespace, settings: Settings) -> int:
        from sqlalchemy.exc import OperationalError

        try:
            return handler(args, settings)
        except NoDatabase as exc:
            note(str(exc))
            return NO_DATABASE
        except OperationalError as exc:  # unreachable server, wrong credentials, locked file
            reason = str(exc.orig or exc).strip().splitlines()[0]
            note(f"relay accounts {args.accounts_command}: cannot use the database: {reason}")
            return NO_DATABASE
        except RelayError as exc:
            note(f"relay accounts {args.accounts_command}: {exc.message}")
            return REFUSED

    return run


def add_parser(commands: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    """The ``accounts`` command and its actions."""
    accounts = commands.add_parser("accounts", help="manage accounts and their API keys").add_subparsers(
        dest="accounts_command", required=True, metavar="ACTION"
    )
    listing = accounts.add_parser("list", help="every account: id, name, created, its keys' prefixes")
    listing.set_defaults(handler=guarded(cmd_list))
    create = accounts.add_parser(
        "create", help="create an account (names are unique); prints its API key (only the key, on stdout)"
    )
    create.add_argument("name")
    create.set_defaults(handler=guarded(cmd_create))
    fresh = accounts.add_parser("new-key", help="another API key for an account; prints it (only the key)")
    fresh.add_argument("account_id", metavar="ACCOUNT_ID", help="as `relay accounts list` shows it")
    fresh.set_defaults(handler=guarded(cmd_new_key))
    revoke = accounts.add_parser("revoke-key", help="revoke a key: it answers 401 from its next request")
    revoke.add_argument(
        "key",
        metavar="KEY_PREFIX",
        help="the prefix `relay accounts list` shows, the whole key, or id:<key id>",
    )
    revoke.set_defaults(handler=guarded(cmd_revoke_key))
    for action in (listing, create, fresh, revoke):
        action.add_argument(
            "--create",
            action="store_true",
            help="create the database if RELAY_DATABASE_URL names none yet (otherwise: refuse)",
        )
