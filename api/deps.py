"""FastAPI dependencies as ``Annotated`` aliases: the services object and the caller's account."""

from typing import Annotated

import structlog
from fastapi import Depends, HTTPException, Request, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from relay.services.container import Services
from relay.storage.tables import Account

bearer = HTTPBearer(auto_error=False, description="an API key, as printed by `relay accounts create NAME`")


async def get_services(request: Request) -> Services:
    """The one ``Services`` the app built in its lifespan."""
    services: Services = request.app.state.services
    return services


ServicesDep = Annotated[Services, Depends(get_services)]


async def current_account(
    services: ServicesDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> Account:
    """The account whose API key the request carries; 401 without a valid one."""
    if credentials is None:
        raise _unauthorized("missing API key: send the header `Authorization: Bearer <api key>`")
    account = await services.accounts.for_key(credentials.credentials)
    if account is None:
        raise _unauthorized("invalid API key")
    # Every line the request writes from here on (its access line too) names the account.
    structlog.contextvars.bind_contextvars(account_id=account.id)
    return account


def _unauthorized(message: str) -> HTTPException:
    return HTTPException(status.HTTP_401_UNAUTHORIZED, detail=message, headers={"WWW-Authenticate": "Bearer"})


AccountDep = Annotated[Account, Depends(current_account)]
