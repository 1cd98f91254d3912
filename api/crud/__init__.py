"""Keyword-only database functions behind the routes; each takes the caller's account."""
