"""How failures raised below the routes become HTTP answers that name the field at fault."""

import logging
import re
from typing import Any

from fastapi import FastAPI, Request, status
from fastapi.exception_handlers import http_exception_handler
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, Field
from sqlalchemy.exc import DataError, OperationalError
from starlette.exceptions import HTTPException as StarletteHTTPException
from temporalio.service import RPCError

from interpreter.compile import DefinitionError
from relay.core.errors import Conflict, Invalid, NotFound, RelayError
from relay.storage.secrets import SecretsUnavailable

log = logging.getLogger(__name__)


class ErrorBody(BaseModel):
    """Every error answer (4xx, 5xx): what is wrong, and where when a field is at fault."""

    detail: str | list[dict[str, Any]] = Field(
        description="a message; for a definition or a request that fails validation, one entry "
        "per problem (`loc`/`node` and `msg`/`message` name the place)"
    )
    field: str | None = Field(None, description="the field at fault, when there is one")


STATUS = {
    NotFound: status.HTTP_404_NOT_FOUND,
    Conflict: status.HTTP_409_CONFLICT,
    Invalid: status.HTTP_422_UNPROCESSABLE_CONTENT,
}


async def _relay_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RelayError)
    body: dict[str, object] = {"detail": exc.message}
    if exc.field:
        body["field"] = exc.field
    code = next((c for kind, c in STATUS.items() if isinstance(exc, kind)), status.HTTP_400_BAD_REQUEST)
    return JSONResponse(body, status_code=code)


async def _definition_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, DefinitionError)
    return JSONResponse({"detail": exc.errors}, status_code=status.HTTP_422_UNPROCESSABLE_CONTENT)


async def _secrets_unavailable(_request: Request, exc: Exception) -> JSONResponse:
    return JSONResponse({"detail": str(exc)}, status_code=status.HTTP_503_SERVICE_UNAVAILABLE)


async def _temporal_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RPCError)
    log.warning("Temporal call failed: %s (%s)", exc.message, exc.status)
    return JSONResponse(
        {"detail": f"Temporal did not answer: {exc.message}"},
        status_code=status.HTTP_503_SERVICE_UNAVAILABLE,
    )


async def _database_error(_request: Request, exc: Exception) -> JSONResponse:
    # The database holds every accepted request: without it nothing can be recorded.
    log.warning("database unavailable: %s", type(exc).__name__)
    return JSONResponse({"detail": "the database is unavailable; try again"}, status_code=503)


async def _unstorable(_request: Request, exc: Exception) -> JSONResponse:
    # The database refused a value the validation let through (a character its text type
    # cannot hold, a number out of its range): the request's fault, never a 500.
    log.warning("database refused a value: %s", type(getattr(exc, "orig", exc)).__name__)
    return JSONResponse(
        {"detail": "a value in the request cannot be stored (a NUL character, a number out of range)"},
        status_code=status.HTTP_422_UNPROCESSABLE_CONTENT,
    )


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    if exc.status_code == status.HTTP_405_METHOD_NOT_ALLOWED:
        # Starlette names only the methods of the first route matching the path; a path has
        # one route per method here, so list them all.
        allowed = sorted(_methods_of(request))
        return JSONResponse(
            {"detail": f"{request.method} is not allowed here; use {', '.join(allowed)}"},
            status_code=exc.status_code,
            headers={"Allow": ", ".join(allowed)},
        )
    return await http_exception_handler(request, exc)


def _methods_of(request: Request) -> set[str]:
    """The methods the API document lists for this path's most specific template (literal
    segments win: `/v1/runs/bulk` is not `/v1/runs/{run_id}`), as the router picks it."""
    paths: dict[str, dict[str, Any]] = request.app.openapi().get("paths", {})
    matching = [
        template
        for template in paths
        if re.fullmatch(re.sub(r"\\{\w+\\}", "[^/]+", re.escape(template)), request.url.path)
    ]
    if not matching:
        return set()
    best = min(matching, key=lambda template: template.count("{"))
    return {method.upper() for method in paths[best] if method in ("get", "put", "post", "delete", "patch")}


def install(app: FastAPI) -> None:
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(RelayError, _relay_error)
    app.add_exception_handler(DefinitionError, _definition_error)
    app.add_exception_handler(SecretsUnavailable, _secrets_unavailable)
    app.add_exception_handler(RPCError, _temporal_error)
    app.add_exception_handler(OperationalError, _database_error)
    app.add_exception_handler(DataError, _unstorable)
