"""Gives each run this worker executes the worker's RELAY_ACTION_HEARTBEAT_TIMEOUT.

The interpreter reads no settings: it takes the heartbeat default from its ``RunInput``
(``action_heartbeat_timeout``), falling back to ``DEFAULT_ACTION_HEARTBEAT``. Runs are started
from many places (API intake, the sweeper, schedules, ``invoke``, reruns, bulk jobs), so rather
than each starter copying the setting in, the worker fills the field in when it executes a run
that left it unset. It only changes activity options, which replay does not compare, so workers
with different values, or a run started before the setting existed, replay fine.
"""

from typing import Any

from temporalio.worker import (
    ExecuteWorkflowInput,
    Interceptor,
    WorkflowInboundInterceptor,
    WorkflowInterceptorClassInput,
)

FIELD = "action_heartbeat_timeout"


class RunDefaults(Interceptor):
    def __init__(self, *, action_heartbeat_timeout: float) -> None:
        self._seconds = action_heartbeat_timeout

    def workflow_interceptor_class(
        self, input: WorkflowInterceptorClassInput
    ) -> type[WorkflowInboundInterceptor] | None:
        seconds = self._seconds

        class FillRunDefaults(WorkflowInboundInterceptor):
            async def execute_workflow(self, input: ExecuteWorkflowInput) -> Any:
                args = list(input.args)
                # Duck-typed: inside the sandbox RunInput is the sandbox's own copy of the class.
                if args and hasattr(args[0], FIELD) and getattr(args[0], FIELD) is None:
                    args[0] = args[0].model_copy(update={FIELD: seconds})
                    input.args = args
                return await super().execute_workflow(input)

        return FillRunDefaults
