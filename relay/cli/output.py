"""How the ``relay`` commands print: what a script captures on stdout, context for a human on stderr."""

import sys


def out(text: str) -> None:
    """What a script captures (stdout)."""
    sys.stdout.write(text + "\n")
    sys.stdout.flush()


def note(text: str) -> None:
    """Context for a human (stderr), kept out of what scripts capture."""
    sys.stderr.write(text + "\n")
    sys.stderr.flush()
