"""Settings tests read a controlled environment: no RELAY_* or TEMPORAL_* from the caller's shell."""

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from relay.core.settings import get_settings


@pytest.fixture(autouse=True)
def bare_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[None]:
    for name in list(os.environ):
        if name.startswith(("RELAY_", "TEMPORAL_")):
            monkeypatch.delenv(name)
    # Nor a temporal.toml profile from the caller's home.
    monkeypatch.setenv("TEMPORAL_CONFIG_FILE", str(tmp_path / "absent.toml"))
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()
