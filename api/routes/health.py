"""``GET /healthz``: the database and Temporal answer."""

from typing import Literal

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict

from api.deps import ServicesDep

router = APIRouter(tags=["health"])


class Health(BaseModel):
    """``status`` and one entry per dependency (``database``, ``temporal``): "ok" or what failed."""

    model_config = ConfigDict(extra="allow")

    status: Literal["ok", "unhealthy"]


@router.get(
    "/healthz",
    response_model=Health,
    responses={503: {"model": Health, "description": "the database or Temporal does not answer"}},
)
async def healthz(services: ServicesDep) -> JSONResponse:
    """200 when the database and Temporal both answer, 503 naming the one that does not."""
    checks = await services.health.check()
    healthy = all(v == "ok" for v in checks.values())
    return JSONResponse(
        {"status": "ok" if healthy else "unhealthy", **checks}, status_code=200 if healthy else 503
    )
