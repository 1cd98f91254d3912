"""Debian's chromium for Playwright: the system browser, never one downloaded at test time."""

import os
import shutil
from pathlib import Path

import pytest

CANDIDATES = ("/usr/bin/chromium", "/usr/bin/chromium-browser")


def chromium_or_skip() -> str:
    """The chromium executable; skips the calling test (printing why) when there is none,
    except in CI, where ``.ci/run`` installs it, so a missing browser is a failure there."""
    found = next((c for c in CANDIDATES if Path(c).exists()), None) or shutil.which("chromium")
    if found:
        return found
    why = "no chromium found (looked for /usr/bin/chromium): `apt-get install chromium` to run this test"
    if os.environ.get("CI") == "true":
        pytest.fail(f"{why}; .ci/run should have installed it")
    pytest.skip(why)


def launch_args() -> list[str]:
    # Chromium refuses to start its sandbox as root (CI containers run as root).
    return ["--no-sandbox"] if os.geteuid() == 0 else []
