"""Operations tests: the ``relay`` command, ``relay dev`` end to end, docker-compose wiring."""

from pathlib import Path

import pytest


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "dev_smoke: starts a real `relay dev` (Temporal, API, worker); select with -m"
    )


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'relay.db'}"
