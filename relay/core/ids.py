"""Identifiers that read well in the Temporal Web UI: a slug of the name and a random suffix."""

import re
import secrets
import unicodedata

_NOT_SLUG = re.compile(r"[^a-z0-9]+")


def slug(name: str, *, limit: int = 24) -> str:
    """``"Lead Approval!"`` → ``"lead-approval"``; empty when nothing printable is left."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return _NOT_SLUG.sub("-", ascii_name.lower()).strip("-")[:limit].strip("-")


def readable_id(name: str, *, fallback: str) -> str:
    """``"acme-1f3a9c0b"``: recognisable in a workflow id, unique by its random part."""
    return f"{slug(name) or fallback}-{secrets.token_hex(4)}"
