"""The step kinds: one module per kind, each a pydantic model that knows its own structure.

Every module of this package is imported and every ``StepBase`` subclass in it is a kind,
so a new kind is a new module here (and its executor in ``interpreter.executors``): no list
to extend. The union of the kinds is ``interpreter.definition.Step``.
"""

import importlib
import pkgutil
from typing import get_args

from interpreter.steps.base import StepBase
from interpreter.steps.tree import StepRef, walk

# The tag of the catch-all kind: a ``type`` that is no flow kind names a registered action.
ACTION = "action"


def _tag(kind: type[StepBase]) -> str:
    """A flow kind's ``type`` literal; the action kind's ``type`` is any string."""
    literal = get_args(kind.model_fields["type"].annotation)
    return literal[0] if literal else ACTION


for _module in sorted(m.name for m in pkgutil.iter_modules(__path__)):
    importlib.import_module(f"{__name__}.{_module}")

KINDS: dict[str, type[StepBase]] = {_tag(kind): kind for kind in StepBase.__subclasses__()}

__all__ = ["ACTION", "KINDS", "StepBase", "StepRef", "walk"]
