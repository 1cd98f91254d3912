"""``{{ secrets.NAME }}`` resolution and redaction, done only inside activities."""

import re
from typing import Any

from activities.errors import permanent

SECRET_REF = re.compile(r"\{\{\s*secrets\.([A-Za-z_][A-Za-z0-9_]*)\s*\}\}")
REDACTED = "[redacted]"


def references(value: Any) -> set[str]:
    """Names of the secrets a piece of action data refers to."""
    if isinstance(value, str):
        return set(SECRET_REF.findall(value))
    if isinstance(value, dict):
        return set().union(*(references(v) for v in value.values())) if value else set()
    if isinstance(value, list):
        return set().union(*(references(v) for v in value)) if value else set()
    return set()


def resolve(value: Any, secrets: dict[str, str]) -> Any:
    """Replace every secret reference with its value; an unknown name fails the step for good."""
    if isinstance(value, str):

        def lookup(match: re.Match[str]) -> str:
            name = match.group(1)
            if name not in secrets:
                raise permanent(f"secret {name!r} is not set for this account", kind="UnknownSecret")
            return secrets[name]

        return SECRET_REF.sub(lookup, value)
    if isinstance(value, dict):
        return {k: resolve(v, secrets) for k, v in value.items()}
    if isinstance(value, list):
        return [resolve(v, secrets) for v in value]
    return value


def redact(value: Any, secret_values: list[str]) -> Any:
    """Blank out any secret value inside an output or message before it leaves the activity."""
    if not secret_values:
        return value
    if isinstance(value, str):
        for secret in secret_values:
            value = value.replace(secret, REDACTED)
        return value
    if isinstance(value, dict):
        return {k: redact(v, secret_values) for k, v in value.items()}
    if isinstance(value, list):
        return [redact(v, secret_values) for v in value]
    return value
