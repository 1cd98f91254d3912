"""How failures raised below the routes become HTTP answers that name the field at fault."""

import logging

from fastapi import FastAPI, Request, status
from fastapi.responses import JSONResponse
from sqlalchemy.exc import OperationalError
from temporalio.service import RPCError

from interpreter.compile import DefinitionError
from relay.core.errors import Conflict, Invalid, NotFound, RelayError
from relay.storage.secrets import SecretsUnavailable

log = logging.getLogger(__name__)

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


def install(app: FastAPI) -> None:
    app.add_exception_handler(RelayError, _relay_error)
    app.add_exception_handler(DefinitionError, _definition_error)
    app.add_exception_handler(SecretsUnavailable, _secrets_unavailable)
    app.add_exception_handler(RPCError, _temporal_error)
    app.add_exception_handler(OperationalError, _database_error)
