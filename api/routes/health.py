"""``GET /healthz``: the database and Temporal answer."""

import asyncio
from datetime import timedelta

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from sqlalchemy import Engine, text

from api.deps import EngineDep, TemporalDep

router = APIRouter(tags=["health"])


@router.get("/healthz")
async def healthz(engine: EngineDep, client: TemporalDep) -> JSONResponse:
    """200 when the database and Temporal both answer, 503 naming the one that does not."""
    checks = {"database": "ok", "temporal": "ok"}
    try:
        await asyncio.to_thread(_ping, engine)
    except Exception as exc:  # noqa: BLE001 - any failure means unhealthy
        checks["database"] = f"error: {exc}"
    try:
        await client.service_client.check_health(timeout=timedelta(seconds=3))
    except Exception as exc:  # noqa: BLE001
        checks["temporal"] = f"error: {exc}"
    healthy = all(v == "ok" for v in checks.values())
    return JSONResponse(
        {"status": "ok" if healthy else "unhealthy", **checks}, status_code=200 if healthy else 503
    )


def _ping(engine: Engine) -> None:
    with engine.connect() as connection:
        connection.execute(text("SELECT 1"))
