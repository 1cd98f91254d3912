"""``python -m relay.cli``: the ``relay`` command, as the dev supervisor starts its children."""

from relay.cli.main import main

main()
