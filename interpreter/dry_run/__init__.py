"""Test runs: a definition run through the real workflow code (``interpreter.workflow.RelayRun``
and its executors) on a plain asyncio loop, with ``DryEngine`` behind ``interpreter.engine``:
actions answered by mocks, timers that take no time, waits answered from a list of events.
No I/O: whatever a test run needs from outside (the live versions it may invoke) is handed in.
"""

from interpreter.dry_run.models import (
    DryRunRequest,
    DryRunResult,
    DryRunStep,
    LiveTarget,
    Mock,
    MockError,
)
from interpreter.dry_run.run import run_dry, run_dry_sync

__all__ = [
    "DryRunRequest",
    "DryRunResult",
    "DryRunStep",
    "LiveTarget",
    "Mock",
    "MockError",
    "run_dry",
    "run_dry_sync",
]
