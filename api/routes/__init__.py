"""The v1 routes, one module per resource."""

from fastapi import APIRouter

from api.routes import (
    account,
    actions,
    events,
    health,
    jobs,
    runs,
    schedules,
    secrets,
    templates,
    test_runs,
    versions,
    webhooks,
    workflows,
)

v1 = APIRouter(prefix="/v1")
RESOURCES = (account, actions, workflows, versions, jobs, runs, events, secrets, templates, schedules)
for module in (*RESOURCES, webhooks, test_runs):
    v1.include_router(module.router)

__all__ = ["health", "v1"]
