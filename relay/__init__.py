"""Relay: user-defined workflows run durably on Temporal.

What every role shares, in layers:

- ``relay.core``: basics (settings, errors, ids, the Temporal connection, payload codecs);
- ``relay.storage``: the database tables, the engine and the schema migrations;
- ``relay.services``: the domain services the API and the workers call (intake, runs, schedules…);
- ``relay.cli``: the entry points (the ``relay`` command and the ``relay dev`` supervisor).

The roles themselves live in ``api``, ``interpreter``, ``activities`` and ``worker``.
"""
