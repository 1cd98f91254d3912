"""Logs, metrics and traces of real processes: one failed run observed once for the folder."""

import pytest
from temporalio.testing import WorkflowEnvironment

from tests.observability.scenario import Observed, observe_failed_run


@pytest.fixture(scope="session")
async def observed(dev_env: WorkflowEnvironment, tmp_path_factory: pytest.TempPathFactory) -> Observed:
    return await observe_failed_run(dev_env, tmp_path_factory.mktemp("observed"))
