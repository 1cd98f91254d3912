"""Swagger UI (``/docs``) and ReDoc (``/redoc``) that work offline.

The pages and their assets come from fastapi-offline (installed with Relay, served under
``/docs-assets``), never from a CDN. A Content-Security-Policy on the two pages keeps it so:
the browser fetches nothing from another host, not even what the bundles themselves point
at (ReDoc's menu shows a logo from cdn.redoc.ly; blocked, it is simply left out).
"""

from typing import Any

from fastapi import FastAPI
from fastapi_offline import FastAPIOffline
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

DOCS_ASSETS = "/docs-assets"
PAGES = ("/docs", "/redoc")
# Inline script/style: the pages start the bundles inline; blob: ReDoc's search worker.
POLICY = (
    "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; font-src 'self' data:; worker-src 'self' blob:; connect-src 'self'"
)


def docs_app(**fastapi_options: Any) -> FastAPI:
    """A FastAPI app whose /docs and /redoc load only from the app itself."""
    app = FastAPIOffline(
        static_url=DOCS_ASSETS,
        # null: no badge fetched from validator.swagger.io.
        swagger_ui_parameters={"validatorUrl": None},
        **fastapi_options,
    )
    app.add_middleware(DocsPolicy)
    return app


class DocsPolicy:
    """Adds the Content-Security-Policy header to the two documentation pages."""

    def __init__(self, app: ASGIApp) -> None:
        self._app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] not in PAGES:
            await self._app(scope, receive, send)
            return

        async def with_policy(message: Message) -> None:
            if message["type"] == "http.response.start":
                MutableHeaders(scope=message)["Content-Security-Policy"] = POLICY
            await send(message)

        await self._app(scope, receive, with_policy)
