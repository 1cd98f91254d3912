"""Relay's entry points: the ``relay`` command (``main``) and the ``relay dev`` supervisor."""

from relay.cli.main import main

__all__ = ["main"]
