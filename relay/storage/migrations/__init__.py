"""Alembic's scripts for Relay's schema; run them with ``relay db upgrade`` (see relay.storage.migrate)."""
