"""``python -m bench --quick`` runs end to end and writes every figure.

Structure only: no timing is asserted here (the machine running the tests is shared and
noisy); ``make bench`` is where the figures are read.
"""

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

FIGURES = {
    "devserver.tuning",
    "interpreter.latency",
    "interpreter.floor",
    "interpreter.same_worker",
    "interpreter.throughput",
    "interpreter.task_time",
    "interpreter.worker_cpu",
    "trigger.latency",
    "trigger.rate",
    "matching.definitions",
    "matching.waiting_other",
    "matching.waiting_match",
    "history.action",
    "history.filter",
    "history.set",
    "history.branch",
    "history.sleep",
    "history.wait_for_event",
    "history.parallel",
    "history.foreach",
    "history.invoke",
    "history.foreach_largest",
    "memory.rss",
    "memory.per_run",
    "memory.large_outputs",
    "scaling.workers",
    "scaling.api",
    "fairness.neighbour",
    "fairness.throughput",
    "test_runs.nodes_10",
    "test_runs.nodes_50",
}
COLUMNS = {"id", "figure", "unit", "relay", "baseline", "ratio", "target", "met", "server", "details"}


# Every figure at a tiny size, the noisy-neighbour one included (about 70 s of it), on a machine
# that may be running other tests: generous, as no timing is asserted.
@pytest.mark.timeout(900)
def test_quick_bench_prints_and_writes_every_figure(tmp_path: Path) -> None:
    out = tmp_path / "results.json"
    done = subprocess.run(
        [sys.executable, "-m", "bench", "--quick", "--out", str(out)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=840,
    )
    assert done.returncode == 0, done.stderr[-4000:]

    results = json.loads(out.read_text())
    figures = results["figures"]
    assert {f["id"] for f in figures} == FIGURES
    for figure in figures:
        assert COLUMNS <= set(figure), figure
        assert figure["relay"] is not None and figure["baseline"] is not None, figure
    assert results["quick"] is True
    assert results["machine"]["cpus"]

    table = done.stdout
    assert "| figure | server | Relay | baseline | ratio | target |" in table
    assert table.count("\n| ") >= len(FIGURES) + 1  # header and one row per figure
