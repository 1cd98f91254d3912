"""A JSON POST to a service an action talks to, with failures classified the one way Relay
classifies them: no answer or no connection is worth retrying, an HTTP error by its status.

The URL is trusted (the operator configured it: the Slack API, a product's CRM) unless a
``rule`` is given: then the call goes through ``activities.net_guard`` and an internal address
fails for good, naming the rule (for a URL a customer wrote, such as a webhook's)."""

from typing import Any

import httpx

from activities.errors import for_http_status, permanent, transient
from activities.net_guard import AddressRefused, AddressRule, guarded_client


async def post_json(
    http: httpx.AsyncClient,
    url: str,
    *,
    json: Any,
    headers: dict[str, str],
    request_timeout: float,
    what: str,
    rule: AddressRule | None = None,
) -> httpx.Response:
    """POST ``json``; ``what`` names the service in error messages ("Slack chat.postMessage")."""
    try:
        if rule is None:
            response = await http.post(url, json=json, headers=headers, timeout=request_timeout)
        else:
            async with guarded_client(rule) as guarded:
                response = await guarded.post(url, json=json, headers=headers, timeout=request_timeout)
    except AddressRefused as exc:
        raise permanent(f"{what} refused: {exc}", kind="AddressRefused") from None
    except httpx.TimeoutException:
        raise transient(f"{what} did not answer within {request_timeout:g}s", kind="Timeout") from None
    except httpx.RequestError as exc:
        raise transient(f"{what} is unreachable: {type(exc).__name__}: {exc}", kind="NetworkError") from None
    if response.status_code >= 400:
        raise for_http_status(
            response.status_code,
            f"{what} answered {response.status_code}: {response.text[:200]}",
            retry_after_header=response.headers.get("retry-after"),
        )
    return response
