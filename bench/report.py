"""The results: one row per figure, printed as a table and written to ``bench/results.json``."""

import json
import os
import platform
import sys
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

RESULTS = Path(__file__).with_name("results.json")
# --quick writes here unless told otherwise, so a smoke run never replaces the real figures.
QUICK_RESULTS = Path(__file__).with_name("results-quick.json")


@dataclass
class Row:
    """One figure. ``ratio`` is Relay / baseline unless ``ratio_note`` says otherwise."""

    id: str
    figure: str
    unit: str
    relay: float | None
    baseline: float | None
    ratio: float | None
    target: str
    met: bool | None = None
    server: str = "-"
    details: dict[str, Any] = field(default_factory=dict)


@dataclass
class Results:
    command: str
    quick: bool
    # Relay's own database, unless a row's server says otherwise ("memory, postgresql")
    database: str = "sqlite"
    rows: list[Row] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    started_at: str = field(default_factory=lambda: datetime.now(UTC).isoformat(timespec="seconds"))
    loadavg_at_start: list[float] = field(default_factory=lambda: [round(x, 2) for x in os.getloadavg()])
    seconds: float = 0.0

    def add(self, row: Row) -> Row:
        self.rows.append(row)
        _echo(f"  {row.id} [{row.server}] {row.figure}: relay={_fmt(row.relay)} "
              f"baseline={_fmt(row.baseline)} ratio={_fmt(row.ratio)} target {row.target}")  # fmt: skip
        return row

    def to_json(self) -> dict[str, Any]:
        return {
            "command": self.command,
            "quick": self.quick,
            "database": self.database,
            "started_at": self.started_at,
            "seconds": round(self.seconds, 1),
            "machine": {**machine(), "loadavg_at_start": self.loadavg_at_start},
            "figures": [asdict(row) for row in self.rows],
            "notes": self.notes,
        }

    def write(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(self.to_json(), indent=2) + "\n")


def machine() -> dict[str, Any]:
    load = os.getloadavg()
    return {
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "loadavg_at_end": [round(x, 2) for x in load],
    }


def ratio(relay: float | None, baseline: float | None) -> float | None:
    if relay is None or baseline in (None, 0):
        return None
    return round(relay / baseline, 3)  # type: ignore[operator]


def _fmt(value: float | None) -> str:
    if value is None:
        return "—"
    if isinstance(value, int) or float(value).is_integer():
        return f"{int(value):,}"
    return f"{value:,.3f}" if abs(value) < 10 else f"{value:,.1f}"


def _status(row: Row) -> str:
    return {True: "ok", False: "MISSED", None: ""}[row.met]


def table(rows: list[Row]) -> str:
    """Markdown: figure, Relay, baseline, ratio, target."""
    lines = [
        "| figure | server | Relay | baseline | ratio | target | |",
        "|---|---|--:|--:|--:|---|---|",
    ]
    for row in rows:
        lines.append(
            f"| {row.figure} ({row.unit}) | {row.server} | {_fmt(row.relay)} | {_fmt(row.baseline)} "
            f"| {_fmt(row.ratio)} | {row.target} | {_status(row)} |"
        )
    return "\n".join(lines)


def _echo(text: str) -> None:
    sys.stderr.write(text + "\n")
    sys.stderr.flush()


echo = _echo
