"""``relay temporal setup``: register Relay's search attributes in an existing namespace.

``relay dev`` and the compose setup job do this themselves; a namespace made some other way
(a self-hosted cluster, an upgrade that added attributes) needs it once, before runs start:
a run started with an attribute its namespace lacks is refused. Idempotent.
"""

import argparse
import asyncio
import sys

from temporalio.service import RPCError

from relay.core.settings import Settings
from relay.core.temporal import SEARCH_ATTRIBUTES, connect

KINDS = {"KEYWORD": "Keyword", "INT": "Int"}


def _commands() -> str:
    """The same thing with the Temporal CLI, for a shell that has it but not Relay."""
    names = " ".join(
        f"--name {key.name} --type {KINDS[key.indexed_value_type.name]}" for key in SEARCH_ATTRIBUTES
    )
    return f"temporal operator search-attribute create --namespace NAMESPACE {names}"


async def _setup(settings: Settings) -> None:
    from relay.cli.dev.server import ensure_search_attributes

    client = await connect(settings)
    await ensure_search_attributes(client, settings.temporal_namespace)


def cmd_setup(args: argparse.Namespace, settings: Settings) -> int:
    try:
        asyncio.run(_setup(settings))
    except RPCError as exc:
        sys.stderr.write(
            f"relay temporal setup: {settings.temporal_address} refused ({exc}). On Temporal Cloud, "
            "add them with `tcld namespace search-attributes add` or the Cloud UI; elsewhere:\n"
            f"  {_commands()}\n"
        )
        return 1
    for key in SEARCH_ATTRIBUTES:
        sys.stdout.write(f"{key.name} {KINDS[key.indexed_value_type.name]}\n")
    sys.stderr.write(
        f"Relay's search attributes are registered in namespace {settings.temporal_namespace!r}\n"
    )
    return 0


def add_parser(commands: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    """The ``temporal`` command and its action."""
    temporal = commands.add_parser("temporal", help="prepare a Temporal namespace for Relay").add_subparsers(
        dest="temporal_command", required=True, metavar="ACTION"
    )
    setup = temporal.add_parser(
        "setup",
        help="register Relay's search attributes in RELAY_TEMPORAL_NAMESPACE (idempotent); "
        "prints each name and type",
    )
    setup.set_defaults(handler=cmd_setup)
