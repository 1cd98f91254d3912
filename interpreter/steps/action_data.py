"""An action step's data at save time: the action's defaults merged in, checked against its
input model."""

from collections.abc import Iterator
from typing import Any

from pydantic import BaseModel, ValidationError

from interpreter import expressions
from interpreter.steps.checks import ActionInfo


def with_defaults(data: dict[str, Any], spec: ActionInfo) -> dict[str, Any]:
    """The step's data with the action's defaults and the seed field semantics applied."""
    merged = {**spec.defaults, **data}
    for field in spec.event_fields:
        if field in merged:
            merged[field] = _event_field(merged[field])
    return merged


def _event_field(value: Any) -> Any:
    """A bare name (no "@", no "{{") reads that field of the triggering event's data."""
    if isinstance(value, list):
        return [_event_field(v) for v in value]
    if isinstance(value, str) and value and "@" not in value and "{{" not in value:
        name = value if value.isidentifier() else "`" + value.replace("`", "") + "`"
        return "{{ event.data." + name + " }}"
    return value


def model_problems(data: dict[str, Any], model: type[BaseModel]) -> Iterator[tuple[str, str]]:
    """Check action data against its input model; values with templates are known at run time
    only, so they are checked for presence, not type."""
    templated = {k for k, v in data.items() if expressions.templates_in(v)}
    if model.model_config.get("extra") != "allow":
        accepted = [info.alias or name for name, info in model.model_fields.items()]
        for key in data:
            if key not in accepted and key not in model.model_fields:
                yield key, f"unknown field (expected one of: {', '.join(accepted)})"
    try:
        model.model_validate({k: v for k, v in data.items() if k not in templated})
    except ValidationError as exc:
        for err in exc.errors():
            field = ".".join(str(p) for p in err["loc"])
            if err["type"] == "extra_forbidden":
                continue  # reported above, with the expected fields
            if not field and templated:
                continue  # a whole-model rule may hinge on a value known only at run time
            if field.split(".")[0] in templated:
                continue
            yield field, err["msg"]
