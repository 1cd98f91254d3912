"""Running ``relay`` as a real process and checking what it leaves behind."""

import os
import subprocess
import sys
from pathlib import Path

RELAY = [sys.executable, "-m", "relay.cli"]


def clean_env(**relay: str) -> dict[str, str]:
    """This environment without any RELAY_* or TEMPORAL_* variable (Relay reads both), plus
    ``relay`` (names without prefix)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("RELAY_", "TEMPORAL_"))}
    env.update({f"RELAY_{name.upper()}": value for name, value in relay.items()})
    env["PYTHONUNBUFFERED"] = "1"
    return env


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
