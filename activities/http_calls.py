"""A JSON POST to a service an action talks to, with failures classified the one way Relay
classifies them: no answer or no connection is worth retrying, an HTTP error by its status."""

from typing import Any

import httpx

from activities.errors import for_http_status, transient


async def post_json(
    http: httpx.AsyncClient,
    url: str,
    *,
    json: Any,
    headers: dict[str, str],
    request_timeout: float,
    what: str,
) -> httpx.Response:
    """POST ``json``; ``what`` names the service in error messages ("Slack chat.postMessage")."""
    try:
        response = await http.post(url, json=json, headers=headers, timeout=request_timeout)
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
