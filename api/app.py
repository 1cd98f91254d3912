"""The FastAPI application: ``create_app`` builds the services object and wires the routes."""

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from sqlalchemy import Engine
from temporalio.client import Client

from api import errors, limits, openapi
from api.docs import docs_app
from api.routes import codec, health, v1
from api.routes.codec import install_codec_cors
from api.telemetry import install_telemetry
from relay.core.settings import Settings, get_settings
from relay.core.temporal import connect, with_relay_converter
from relay.services.container import Services
from relay.services.metrics import api_registry
from relay.services.sweeper import Sweeper
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
            else await connect(settings, engine=db, lazy=True)
        )
        services = Services.create(settings=settings, engine=db, temporal=client)
        app.state.services = services
        app.state.metrics = api_registry(db)
        # Recorded but undispatched events and pending runs: now (bounded, so a Temporal that
        # is down does not hold up the start), then every sweep interval in the background.
        sweeper = Sweeper(services.events, interval=settings.sweep_interval)
        started = await sweeper.start_up()
        if started:
            log.info("start-up sweep handed on what a previous process left: %s", started)
        sweeping = asyncio.create_task(sweeper.run(), name="relay-sweeper")
        try:
            yield
        finally:
            sweeping.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await sweeping
            if engine is None:
                db.dispose()

    # Swagger UI and ReDoc from assets installed with the package: /docs works offline.
    app = docs_app(title="Relay", version="1", description=DESCRIPTION, lifespan=lifespan)
    errors.install(app)
    install_codec_cors(app, settings)
    limits.install(app, settings)  # body size, JSON nesting, URL characters: before any route
    app.include_router(v1)
    app.include_router(health.router)
    install_telemetry(app)
    app.include_router(codec.router)
    openapi.install(app)  # statuses, error bodies and constraints of every route above
    return app

