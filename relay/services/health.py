"""Whether the database and Temporal answer (``GET /healthz``)."""

import asyncio
from datetime import timedelta

from sqlalchemy import Engine, text
from temporalio.client import Client

HEALTH_TIMEOUT = timedelta(seconds=3)


class HealthService:
    def __init__(self, *, engine: Engine, temporal: Client) -> None:
        self.engine = engine
        self.temporal = temporal

    async def check(self) -> dict[str, str]:
        """``{"database": ..., "temporal": ...}``, each ``"ok"`` or ``"error: <why>"``."""
        checks = {"database": "ok", "temporal": "ok"}
        try:
            await asyncio.to_thread(self._ping)
        except Exception as exc:  # any failure means unhealthy
            checks["database"] = f"error: {exc}"
        try:
            await self.temporal.service_client.check_health(timeout=HEALTH_TIMEOUT)
        except Exception as exc:
            checks["temporal"] = f"error: {exc}"
        return checks

    def _ping(self) -> None:
        with self.engine.connect() as connection:
            connection.execute(text("SELECT 1"))
