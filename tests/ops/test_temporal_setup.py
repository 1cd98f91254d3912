"""``relay temporal setup`` registers Relay's search attributes in an existing namespace that
lacks them (a real process against the session's dev server), and is idempotent."""

import asyncio
import uuid
from datetime import timedelta

from google.protobuf.duration_pb2 import Duration
from temporalio.api.operatorservice.v1 import ListSearchAttributesRequest
from temporalio.api.workflowservice.v1 import RegisterNamespaceRequest
from temporalio.testing import WorkflowEnvironment

from relay.core.temporal import SEARCH_ATTRIBUTES
from tests.support.procs import relay


async def _custom(env: WorkflowEnvironment, namespace: str) -> set[str]:
    known = await env.client.operator_service.list_search_attributes(
        ListSearchAttributesRequest(namespace=namespace)
    )
    return set(known.custom_attributes)


async def test_setup_registers_the_attributes_in_a_bare_namespace(dev_env: WorkflowEnvironment) -> None:
    namespace = f"bare-{uuid.uuid4().hex[:8]}"
    retention = Duration()
    retention.FromTimedelta(timedelta(days=1))
    await dev_env.client.workflow_service.register_namespace(
        RegisterNamespaceRequest(namespace=namespace, workflow_execution_retention_period=retention)
    )
    names = {key.name for key in SEARCH_ATTRIBUTES}
    assert not names & await _custom(dev_env, namespace)
    settings = {
        "temporal_address": dev_env.client.service_client.config.target_host,
        "temporal_namespace": namespace,
    }

    for _ in range(2):  # the second time finds them all and changes nothing
        done = await asyncio.to_thread(relay, "temporal", "setup", **settings)
        assert done.returncode == 0, done.stderr
        assert {line.split()[0] for line in done.stdout.splitlines()} == names
        assert names <= await _custom(dev_env, namespace)
