"""FastAPI dependencies as ``Annotated`` aliases: settings, database, Temporal, the caller's account."""

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, HTTPException, Request, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy import Engine
from sqlmodel import Session
from temporalio.client import Client

from activities.registry import ActionSpec
from relay.core.settings import Settings
from relay.services.accounts import account_for_key
from relay.storage.secrets import SecretBox
from relay.storage.tables import Account

bearer = HTTPBearer(auto_error=False, description="an API key, as printed by `relay accounts create NAME`")


async def get_settings(request: Request) -> Settings:
    value: Settings = request.app.state.settings
    return value


async def get_engine(request: Request) -> Engine:
    value: Engine = request.app.state.engine
    return value


async def get_temporal(request: Request) -> Client:
    value: Client = request.app.state.temporal
    return value


async def get_actions(request: Request) -> dict[str, ActionSpec]:
    value: dict[str, ActionSpec] = request.app.state.actions
    return value


SettingsDep = Annotated[Settings, Depends(get_settings)]
EngineDep = Annotated[Engine, Depends(get_engine)]
TemporalDep = Annotated[Client, Depends(get_temporal)]
ActionsDep = Annotated[dict[str, ActionSpec], Depends(get_actions)]


def get_session(engine: EngineDep) -> Iterator[Session]:
    """A session for sync endpoints (FastAPI runs those, and this, in its thread pool)."""
    with Session(engine, expire_on_commit=False) as session:
        yield session


SessionDep = Annotated[Session, Depends(get_session)]


def current_account(
    engine: EngineDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> Account:
    """The account whose API key the request carries; 401 without a valid one."""
    if credentials is None:
        raise _unauthorized("missing API key: send the header `Authorization: Bearer <api key>`")
    account = account_for_key(engine, key=credentials.credentials)
    if account is None:
        raise _unauthorized("invalid API key")
    return account


def _unauthorized(message: str) -> HTTPException:
    return HTTPException(status.HTTP_401_UNAUTHORIZED, detail=message, headers={"WWW-Authenticate": "Bearer"})


AccountDep = Annotated[Account, Depends(current_account)]


async def get_secret_box(request: Request) -> SecretBox:
    value: SecretBox = request.app.state.secret_box
    return value


SecretBoxDep = Annotated[SecretBox, Depends(get_secret_box)]
