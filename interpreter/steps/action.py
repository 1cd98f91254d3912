"""A registered action: any ``type`` that is not a flow kind. Its data is checked against the
action's input model at save time, and the action's defaults are frozen into the step."""

from collections.abc import Mapping
from typing import Any, Self

from pydantic import Field

from interpreter import expressions
from interpreter.steps.action_data import model_problems, with_defaults
from interpreter.steps.base import Retry, StepBase, data_templates
from interpreter.steps.checks import ActionInfo, StepCheck


class ActionStep(StepBase):
    type: str = Field(min_length=1)
    data: dict[str, Any] = Field(default_factory=dict)

    def check(self, check: StepCheck) -> None:
        spec = check.actions.get(self.type)
        if spec is None:
            known = ", ".join(sorted(check.actions)) or "none registered"
            check.problem("type", f"unknown action type {self.type!r} (known: {known})")
            return
        data = with_defaults(self.data, spec)
        for field, source in data_templates(data):
            if not expressions.mentions_secrets(source):
                check.expression(field, source)
            elif not expressions.is_secret_reference(source):
                check.problem(field, "write a secret as {{ secrets.NAME }}")
        for field, message in model_problems(data, spec.input_model):
            check.problem(f"data.{field}" if field else "data", message)

    def finalise(self, actions: Mapping[str, ActionInfo]) -> Self:
        """Fill in the action's defaults (data, timeout, retry, heartbeat)."""
        spec = actions[self.type]
        defaults, heartbeat = spec.retry, spec.heartbeat
        retry = {
            "max_attempts": defaults.max_attempts,
            "initial_interval": f"{defaults.initial_interval.total_seconds()}s",
            "backoff": defaults.backoff,
            "max_interval": f"{defaults.max_interval.total_seconds()}s",
            **(self.retry.model_dump(exclude_none=True) if self.retry else {}),
        }
        return self.model_copy(
            update={
                "data": with_defaults(self.data, spec),
                "timeout": self.timeout or f"{spec.timeout.total_seconds()}s",
                "retry": Retry(**retry),
                "heartbeat": self.heartbeat or (f"{heartbeat.total_seconds()}s" if heartbeat else None),
            }
        )
