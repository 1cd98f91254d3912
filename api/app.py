"""The FastAPI application: ``create_app`` builds the services object and wires the routes."""

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from sqlalchemy import Engine
from temporalio.client import Client

from api import errors
from api.routes import codec, health, v1
from api.routes.codec import install_codec_cors
from relay.core.settings import Settings, get_settings
from relay.core.temporal import connect, with_relay_converter
from relay.services.container import Services
from relay.storage import create_db_engine, ensure_schema

log = logging.getLogger(__name__)

DESCRIPTION = """
User-defined workflows for your product, run durably on Temporal.

Authenticate with `Authorization: Bearer <api key>` (`relay accounts create NAME` prints one).
Every key sees its own account only; another account's ids answer 404.
"""


def create_app(
    settings: Settings | None = None,
    *,
    engine: Engine | None = None,
    temporal_client: Client | None = None,
) -> FastAPI:
    """The API app. What is not passed is created when it starts, from ``settings``."""
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        db = engine or create_db_engine(settings.database_url)
        await asyncio.to_thread(ensure_schema, db, auto_migrate=settings.auto_migrate)
        # The claim check resolves large run outputs, whatever client was handed in.
        client = (
            with_relay_converter(temporal_client, db, settings=settings)
            if temporal_client is not None
            else await connect(settings, engine=db)
        )
        services = Services.create(settings=settings, engine=db, temporal=client)
        app.state.services = services
        await _recover(services)
        try:
            yield
        finally:
            if engine is None:
                db.dispose()

    app = FastAPI(title="Relay", version="1", description=DESCRIPTION, lifespan=lifespan)
    errors.install(app)
    install_codec_cors(app, settings)
    app.include_router(v1)
    app.include_router(health.router)
    app.include_router(codec.router)
    return app


async def _recover(services: Services) -> None:
    """Start runs a previous process recorded but did not start (it stopped in between)."""
    try:
        started = await services.events.recover()
    except Exception:  # the API still serves; the next start-up tries again
        log.exception("recovering undispatched events failed")
        return
    if started:
        log.info("started %d run(s) left pending by a previous process", started)
