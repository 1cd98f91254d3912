"""How each step kind runs: one module per kind, each registering its executor with
``@executes(Kind)``. Every module of this package is imported, so a new kind's executor is
a new module here: no list to extend. The frame around every step is ``interpreter.frame``."""

import importlib
import pkgutil

from interpreter.executors.base import EXECUTORS, RESTORERS, Executor, StepRun

for _module in sorted(m.name for m in pkgutil.iter_modules(__path__)):
    importlib.import_module(f"{__name__}.{_module}")

__all__ = ["EXECUTORS", "RESTORERS", "Executor", "StepRun"]
