"""Relay's API and a real worker on a given Temporal environment, one client per account."""

from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager

import httpx
from sqlalchemy import Engine
from temporalio.client import Client

from api.app import create_app
from relay.core.settings import Settings
from relay.services.accounts import create_account
from worker.build import build_worker


def api_client(app: object, key: str) -> httpx.AsyncClient:
    """An in-process client of the app, authenticated with ``key``."""
    return httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app),  # type: ignore[arg-type]
        base_url="http://relay.test",
        headers={"Authorization": f"Bearer {key}"},
    )


@asynccontextmanager
async def relay_stack(
    client: Client, *, settings: Settings, engine: Engine, accounts: tuple[str, ...] = ("Acme",)
) -> AsyncIterator[list[httpx.AsyncClient]]:
    """The API (lifespan included) and one worker, with a client for each named account."""
    app = create_app(settings, engine=engine, temporal_client=client)
    keys = [create_account(engine, name=name)[1] for name in accounts]
    async with AsyncExitStack() as stack:
        await stack.enter_async_context(app.router.lifespan_context(app))
        http = await stack.enter_async_context(httpx.AsyncClient())
        await stack.enter_async_context(build_worker(client, settings=settings, engine=engine, http=http))
        yield [await stack.enter_async_context(api_client(app, key)) for key in keys]
