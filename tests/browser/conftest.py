"""Browser tests skip when there is no chromium; say so at the end of every run, not only
with ``-rs``, so a machine without a browser does not pass them silently."""

import pytest


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    skipped = [r for r in terminalreporter.stats.get("skipped", []) if "tests/browser/" in r.nodeid]
    if skipped:
        reason = (
            skipped[0].longrepr[2] if isinstance(skipped[0].longrepr, tuple) else str(skipped[0].longrepr)
        )
        terminalreporter.write_line(f"{len(skipped)} browser test(s) skipped: {reason}", yellow=True)
