"""The operator's codec session: ``RELAY_CODEC_OPERATOR_TOKEN`` exchanged for a cookie.

The Temporal Web UI sends no Relay API key, so an operator proves who they are once, at
``/codec/login``, and gets an HttpOnly cookie the UI's codec requests then carry (its
"include cross-origin credentials" switch). The cookie holds an expiry and an HMAC of it
keyed by the token, never the token: changing the token ends every session.
"""

import hashlib
import hmac
import time

COOKIE = "relay_codec_session"
LIFETIME = 12 * 3600  # seconds a session lasts; the operator logs in again after


def _mac(token: str, expires: int) -> str:
    return hmac.new(token.encode(), f"relay-codec-session:{expires}".encode(), hashlib.sha256).hexdigest()


def token_matches(configured: str | None, given: str) -> bool:
    """Whether ``given`` is the operator token (constant time); never with no token configured."""
    if not configured:
        return False
    return hmac.compare_digest(configured.encode(), given.strip().encode())


def new_session(token: str, *, now: float | None = None) -> str:
    """A cookie value valid for ``LIFETIME`` seconds."""
    expires = int(now if now is not None else time.time()) + LIFETIME
    return f"{expires}.{_mac(token, expires)}"


def session_valid(token: str | None, value: str | None, *, now: float | None = None) -> bool:
    """Whether ``value`` is a session made with ``token`` that has not expired."""
    if not token or not value:
        return False
    expires_text, _, mac = value.partition(".")
    if not expires_text.isdigit():
        return False
    expires = int(expires_text)
    if expires < (now if now is not None else time.time()):
        return False
    return hmac.compare_digest(mac, _mac(token, expires))
