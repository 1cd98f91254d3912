"""The child processes of ``relay dev``: each in its own session, stopped in order, none left behind."""

import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from typing import IO

STOP_TIMEOUT = 15.0  # seconds every child gets to stop before it is killed


def note(text: str) -> None:
    """A line for the human running ``relay dev`` (stderr)."""
    sys.stderr.write(f"relay dev: {text}\n")
    sys.stderr.flush()


class DevError(RuntimeError):
    """Start-up failed or a child died; the message says which and why."""


class Interrupted(Exception):
    """SIGINT, SIGTERM or SIGHUP arrived: stop everything, exit 0."""


@dataclass
class Child:
    name: str
    proc: subprocess.Popen[bytes]

    def exited(self) -> int | None:
        return self.proc.poll()


class Stack:
    """The child processes of one ``relay dev``, each in its own process group."""

    def __init__(self) -> None:
        self.children: list[Child] = []
        self.signal: int | None = None

    def on_signal(self, signum: int, _frame: object) -> None:
        self.signal = signum

    def check(self) -> None:
        """Raise if a stop was asked for or a child died; called by every wait loop."""
        if self.signal is not None:
            raise Interrupted
        for child in self.children:
            code = child.exited()
            if code is not None:
                raise DevError(f"{child.name} {_ended(code)} unexpectedly")

    def spawn(
        self, name: str, cmd: list[str], env: dict[str, str], *, output: IO[bytes] | None = None
    ) -> Child:
        # A session of its own: the terminal's Ctrl-C reaches relay dev only, which then
        # stops the children in order (the worker must finish before Temporal goes away).
        proc = subprocess.Popen(
            cmd,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT if output else None,
            start_new_session=True,
        )
        child = Child(name, proc)
        self.children.append(child)
        return child

    def stop(self) -> None:
        """Stop the API and worker, then Temporal: SIGTERM, wait, SIGKILL after a timeout."""
        apps = [c for c in self.children if c.name != "temporal"]
        _stop_group(apps)
        _stop_group([c for c in self.children if c.name == "temporal"])
        self.children.clear()


def _ended(code: int) -> str:
    return f"was killed by {signal.Signals(-code).name}" if code < 0 else f"exited with code {code}"


def _signal_group(child: Child, signal_number: int) -> None:
    try:
        os.killpg(child.proc.pid, signal_number)
    except (ProcessLookupError, PermissionError):
        pass


def _stop_group(children: list[Child]) -> None:
    for child in children:
        if child.exited() is None:
            _signal_group(child, signal.SIGTERM)
    deadline = time.monotonic() + STOP_TIMEOUT
    for child in children:
        try:
            child.proc.wait(timeout=max(0.0, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            note(f"{child.name} did not stop within {STOP_TIMEOUT:.0f}s: killing it")
            _signal_group(child, signal.SIGKILL)
            child.proc.wait()
        # Anything the child left behind in its group goes with it.
        _signal_group(child, signal.SIGKILL)
