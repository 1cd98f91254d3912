"""The built-in actions; importing this package registers every one of them."""

from activities.builtin import email_action, emit_event, http_request, log, slack  # noqa: F401
