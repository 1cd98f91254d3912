"""``relay dev``: Temporal's dev server, the API and one worker, all stopped by Ctrl-C.

Everything lives under ``.relay/`` in the working directory (Temporal's SQLite file, Relay's
SQLite file, the generated secrets key, the dev account's API key), so a second ``relay dev``
finds its definitions, secrets and runs in flight where the first one left them.
"""

from relay.cli.dev.runner import run_dev

__all__ = ["run_dev"]
