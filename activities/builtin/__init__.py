"""The built-in actions; every registry holds what these modules declare."""

from activities.builtin import email_action, emit_event, http_request, log, slack

__all__ = ["email_action", "emit_event", "http_request", "log", "slack"]
