"""Collecting definition problems, each with the field path and the node it belongs to."""

from typing import Any

from pydantic import ValidationError

from interpreter.definition import FLOW_TYPES, STEP_TAGS
from interpreter.steps import ACTION, KINDS
from interpreter.steps.base import SubList
from interpreter.steps.tree import default_id


class Problems:
    def __init__(self) -> None:
        self.items: list[dict[str, Any]] = []

    def add(self, loc: str, node: str | None, message: str) -> None:
        self.items.append({"loc": loc, "node": node, "message": message})

    def raise_if_any(self, error: type[Exception]) -> None:
        if self.items:
            raise error(self.items)

    @staticmethod
    def from_validation(exc: ValidationError, document: dict[str, Any]) -> list[dict[str, Any]]:
        """Pydantic's errors with union tags dropped and the node named."""
        out = []
        for err in exc.errors():
            parts = _without_tags(err["loc"])
            out.append(
                {"loc": _format(parts) or "definition", "node": _node(parts, document),
                 "message": err["msg"]}
            )  # fmt: skip
        return out


def _without_tags(loc: tuple[Any, ...]) -> list[Any]:
    parts: list[Any] = []
    for index, part in enumerate(loc):
        after_index = index > 0 and isinstance(loc[index - 1], int)
        if after_index and isinstance(part, str) and part in STEP_TAGS:
            continue
        parts.append(part)
    return parts


def _format(parts: list[Any]) -> str:
    text = ""
    for part in parts:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def _node(parts: list[Any], document: dict[str, Any]) -> str | None:
    """The id of the deepest step the error sits in (explicit or the default one)."""
    if len(parts) < 2 or parts[0] not in ("actions", "nodes") or not isinstance(parts[1], int):
        return None
    container: Any = document.get(parts[0])
    node, index, prefix = None, 1, None
    try:
        while index < len(parts) and isinstance(parts[index], int):
            step = container[parts[index]]
            node = step.get("id") or default_id(step.get("type", "step"), parts[index], prefix)
            sub = _sublist(step.get("type"), parts[index + 2]) if index + 2 < len(parts) else None
            if sub is None or parts[index + 1] != "data":
                break
            container = step["data"][sub.key]
            index += 3
            branch: int | None = None
            if sub.nested and index < len(parts) and isinstance(parts[index], int):
                branch = parts[index]
                container = container[branch]
                index += 1
            prefix = f"{node}_{sub.part_of(branch)}"
    except (KeyError, IndexError, TypeError, AttributeError):
        pass
    return node


def _sublist(step_type: Any, key: Any) -> SubList | None:
    kind = KINDS[step_type if step_type in FLOW_TYPES else ACTION]
    return next((sub for sub in kind.sublists if sub.key == key), None)
