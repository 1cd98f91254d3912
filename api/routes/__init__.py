"""The v1 routes, one module per resource."""

from fastapi import APIRouter

from api.routes import actions, events, health, jobs, runs, schedules, secrets, templates, versions, workflows

v1 = APIRouter(prefix="/v1")
for module in (actions, workflows, versions, jobs, runs, events, secrets, templates, schedules):
    v1.include_router(module.router)

__all__ = ["health", "v1"]
