"""Runs definitions on the real time-skipping Temporal server with a real worker."""

from collections.abc import AsyncIterator

import pytest
from sqlalchemy import Engine
from temporalio.testing import WorkflowEnvironment

from relay.core.settings import Settings
from tests.support.flows import Finished, Runner, flow_runner, run_histories

__all__ = ["ECHO_MODULE", "Finished", "Runner", "run_histories"]

ECHO_MODULE = "tests.interpreter.echo_actions"


@pytest.fixture
def flow_settings(settings: Settings) -> Settings:
    return settings.model_copy(update={"action_modules": [ECHO_MODULE]})


@pytest.fixture
async def run_flow(
    ts_env: WorkflowEnvironment, flow_settings: Settings, engine: Engine
) -> AsyncIterator[Runner]:
    """``await run_flow(definition, data={...})`` on the time-skipping server: timers cost no time."""
    async with flow_runner(ts_env, flow_settings, engine) as run:
        yield run


@pytest.fixture
async def run_flow_dev(
    dev_env: WorkflowEnvironment, flow_settings: Settings, engine: Engine
) -> AsyncIterator[Runner]:
    """The same on the real dev server, for heavy runs (long histories, many runs at once)."""
    async with flow_runner(dev_env, flow_settings, engine) as run:
        yield run
