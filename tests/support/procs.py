"""Running ``relay`` as a real process and checking what it leaves behind."""

import asyncio
import os
import signal
import subprocess
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from relay.core.settings import Settings

RELAY = [sys.executable, "-m", "relay.cli"]


def clean_env(**relay: str) -> dict[str, str]:
    """This environment without any RELAY_* or TEMPORAL_* variable (Relay reads both), plus
    ``relay`` (names without prefix)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("RELAY_", "TEMPORAL_"))}
    env.update({f"RELAY_{name.upper()}": value for name, value in relay.items()})
    env["PYTHONUNBUFFERED"] = "1"
    return env


def settings_env(settings: Settings, temporal: str, **extra: str) -> dict[str, str]:
    """``clean_env`` for a process on ``settings``' database, secrets and task queue, talking to
    the Temporal server at ``temporal``, plus ``extra`` (names without prefix)."""
    return clean_env(
        temporal_address=temporal,
        task_queue=settings.task_queue,
        database_url=settings.database_url,
        secrets_keys=",".join(settings.secrets_keys),
        **extra,
    )


@asynccontextmanager
async def relay_process(
    args: list[str], env: dict[str, str], log: Path, *, cwd: Path | None = None, stop_timeout: float = 15
) -> AsyncIterator[asyncio.subprocess.Process]:
    """``relay *args`` with its output appended to ``log``; stopped with SIGTERM (so it shuts
    down cleanly), SIGKILL if it is not gone after ``stop_timeout`` seconds."""
    with log.open("ab") as out:
        proc = await asyncio.create_subprocess_exec(*RELAY, *args, env=env, stdout=out, stderr=out, cwd=cwd)
    try:
        yield proc
    finally:
        if proc.returncode is None:
            proc.send_signal(signal.SIGTERM)
            try:
                await asyncio.wait_for(proc.wait(), timeout=stop_timeout)
            except TimeoutError:
                proc.kill()
                await proc.wait()


def relay(*args: str, **settings: str) -> subprocess.CompletedProcess[str]:
    """``relay *args`` run to its end in ``clean_env(**settings)``, its output captured."""
    return subprocess.run(
        [*RELAY, *args], env=clean_env(**settings), capture_output=True, text=True, timeout=60
    )


def _children_by_parent() -> dict[int, list[int]]:
    tree: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            # The command name is parenthesised and may hold spaces: split after it.
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        tree.setdefault(int(fields[1]), []).append(int(entry.name))
    return tree


def descendants(pid: int) -> set[int]:
    """Every process below ``pid`` (Linux /proc)."""
    tree = _children_by_parent()
    found: set[int] = set()
    todo = [pid]
    while todo:
        for child in tree.get(todo.pop(), []):
            if child not in found:
                found.add(child)
                todo.append(child)
    return found


def alive(pid: int) -> bool:
    """True while ``pid`` exists and is not a zombie."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state != "Z"


def describe(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode().strip()
    except OSError:
        return "?"
