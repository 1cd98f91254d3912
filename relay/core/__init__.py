"""Relay's basics: settings, domain errors, ids, the Temporal connection and payload codecs.

Nothing here imports a service or an entry point.
"""
