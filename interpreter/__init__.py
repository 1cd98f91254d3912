"""The definition language and the one generic workflow that interprets it.

Imports temporalio and its own modules only: no database, no network, no FastAPI.
"""
