"""What an object can reach: a walk of its object graph, for tests that prove an action
context hands out no path to Relay's settings, database or Temporal client.

The walk follows what an object holds (attributes, slots, container items, closure cells,
bound methods' ``self``) but not what every piece of code can reach anyway: modules, classes,
a function's globals, running frames, the event loop and the logging module's logger registry.
"""

import asyncio
import gc
import logging
import types
from collections import deque
from typing import Any

from sqlalchemy import Connection, Engine
from sqlalchemy.orm import Session
from temporalio.client import Client

from relay.core.settings import Settings
from relay.storage.secrets import SecretBox

FORBIDDEN: tuple[type, ...] = (Settings, Engine, Connection, Session, SecretBox, Client)

_GLOBAL = (
    types.ModuleType,
    type,
    types.FrameType,
    types.CodeType,
    types.CoroutineType,
    types.GeneratorType,
    types.AsyncGeneratorType,
    asyncio.AbstractEventLoop,
    logging.Manager,
)


def _children(obj: Any) -> list[Any]:
    if isinstance(obj, types.FunctionType):
        # Not __globals__: every function reaches its module's namespace.
        return [obj.__defaults__, obj.__kwdefaults__, obj.__closure__, obj.__dict__]
    return list(gc.get_referents(obj))


def paths_to(root: Any, forbidden: tuple[type, ...] = FORBIDDEN, *, limit: int = 500_000) -> list[str]:
    """A path (type names from ``root``) to each reachable instance of a ``forbidden`` type."""
    parents: dict[int, tuple[int | None, str]] = {id(root): (None, type(root).__name__)}
    keep = [root]  # ids stay unique while the objects are alive
    queue = deque([root])
    found: list[str] = []
    while queue and len(parents) < limit:
        obj = queue.popleft()
        if isinstance(obj, forbidden):
            found.append(_path(parents, id(obj)))
            continue
        for child in _children(obj):
            if id(child) in parents or isinstance(child, _GLOBAL) or child is None:
                continue
            parents[id(child)] = (id(obj), type(child).__name__)
            keep.append(child)
            queue.append(child)
    assert len(parents) < limit, f"walked {limit} objects without finishing"
    return found


def _path(parents: dict[int, tuple[int | None, str]], at: int | None) -> str:
    names = []
    while at is not None:
        at, name = parents[at]
        names.append(name)
    return " -> ".join(reversed(names))
