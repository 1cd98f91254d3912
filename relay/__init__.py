"""Relay: user-defined workflows run durably on Temporal.

This package holds what every role shares: settings, storage, the Temporal
connection and the command line. The roles themselves live in `api`,
`interpreter`, `activities` and `worker`.
"""
