"""``relay dev`` end to end: it comes up, its key works, Ctrl-C leaves no process behind,
a second start finds the same key, secrets, workflows and the run still in flight, and
a child that dies takes the rest down with it."""

import os
import re
import signal
import stat
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.support.procs import RELAY, alive, clean_env, descendants, describe
from tests.support.servers import free_port

pytestmark = [
    pytest.mark.dev_smoke,
    pytest.mark.timeout(90),
    pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads /proc"),
]

KEY_LINE = re.compile(r"^\s*API key\s+(\S+)", re.MULTILINE)


class Dev:
    """One ``relay dev`` in ``workdir``, its output in files there."""

    def __init__(self, workdir: Path, env: dict[str, str], api_url: str, run: int) -> None:
        self.out = workdir / f"dev-{run}.out"
        self.err = workdir / f"dev-{run}.err"
        self.api_url = api_url
        with self.out.open("wb") as out, self.err.open("wb") as err:
            self.proc = subprocess.Popen([*RELAY, "dev"], cwd=workdir, env=env, stdout=out, stderr=err)

    def output(self) -> str:
        return f"--- stdout\n{self.out.read_text()}\n--- stderr\n{self.err.read_text()}"

    def wait_ready(self, timeout: float = 40) -> str:
        """Wait for /healthz and the banner; returns the API key it printed."""
        deadline = time.monotonic() + timeout
        while True:
            assert self.proc.poll() is None, f"relay dev exited:\n{self.output()}"
            assert time.monotonic() < deadline, f"relay dev not ready:\n{self.output()}"
            found = KEY_LINE.search(self.out.read_text())
            if found and _healthy(self.api_url):
                return found.group(1)
            time.sleep(0.3)

    def interrupt(self) -> set[int]:
        """Ctrl-C; returns the processes it had started, all of which must be gone."""
        children = descendants(self.proc.pid)
        assert children, "relay dev runs Temporal, the API and a worker as child processes"
        self.proc.send_signal(signal.SIGINT)
        try:
            code = self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.kill()
            raise AssertionError(f"relay dev ignored SIGINT:\n{self.output()}") from None
        assert code == 0, self.output()
        return children

    def lose_a_child(self, name: str) -> set[int]:
        """SIGKILL the child whose command line holds ``name``: relay dev must stop the rest."""
        children = descendants(self.proc.pid)
        (victim,) = [pid for pid in children if name in describe(pid)]
        os.kill(victim, signal.SIGKILL)
        try:
            code = self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.kill()
            raise AssertionError(f"relay dev outlived its {name}:\n{self.output()}") from None
        assert code == 1, self.output()
        assert "api was killed by SIGKILL unexpectedly" in self.err.read_text()
        return children

    def kill(self) -> None:
        for pid in [self.proc.pid, *descendants(self.proc.pid)]:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        self.proc.wait()


@contextmanager
def running(dev: Dev) -> Iterator[Dev]:
    """``dev`` for the block; on failure its output goes to the report and it is killed."""
    try:
        yield dev
    except BaseException:
        sys.stderr.write(dev.output())
        raise
    finally:
        if dev.proc.poll() is None:
            dev.kill()


def _healthy(api_url: str) -> bool:
    try:
        return httpx.get(f"{api_url}/healthz", timeout=2).status_code == 200
    except httpx.TransportError:
        return False


def _assert_gone(pids: set[int]) -> None:
    deadline = time.monotonic() + 5
    while (left := {pid for pid in pids if alive(pid)}) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not left, f"left running: {[describe(pid) for pid in left]}"


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


DEFINITION: dict[str, Any] = {
    "name": "Smoke",
    "trigger": {"event": "ops/smoke"},
    "actions": [{"type": "sleep", "data": {"duration": "2 days"}}],
}


def _first_start(api: httpx.Client) -> tuple[str, str]:
    """Leave a secret, a published workflow and a sleeping run behind; their ids."""
    assert api.get("/v1/workflows").status_code == 200
    assert api.put("/v1/secrets/SLACK_TOKEN", json={"value": "xoxb-smoke"}).is_success
    created = api.post("/v1/workflows", json=DEFINITION)
    assert created.status_code == 201, created.text
    workflow_id = created.json()["id"]
    version = api.post(f"/v1/workflows/{workflow_id}/versions")
    assert version.status_code == 201, version.text
    published = api.post(f"/v1/workflows/{workflow_id}/publish", json={"version": 1})
    assert published.is_success, published.text
    event = api.post("/v1/events", json={"name": "ops/smoke", "data": {}})
    assert event.status_code == 202, event.text
    (run_id,) = event.json()["runs"]
    deadline = time.monotonic() + 20
    while (status := api.get(f"/v1/runs/{run_id}").json()["status"]) != "running":
        assert status == "pending" and time.monotonic() < deadline, status
        time.sleep(0.3)
    return workflow_id, run_id


def test_relay_dev_starts_stops_cleanly_and_keeps_its_data(tmp_path: Path) -> None:
    api_port = free_port()
    api_url = f"http://127.0.0.1:{api_port}"
    env = clean_env(
        temporal_address=f"127.0.0.1:{free_port()}",
        temporal_ui_url=f"http://127.0.0.1:{free_port()}",
        api_port=str(api_port),
    )
    data = tmp_path / ".relay"

    with running(Dev(tmp_path, env, api_url, run=1)) as dev:
        key = dev.wait_ready()
        with httpx.Client(base_url=api_url, headers={"Authorization": f"Bearer {key}"}, timeout=10) as api:
            workflow_id, run_id = _first_start(api)
        _assert_gone(dev.interrupt())

    for name in ("temporal.db", "relay.db", "secrets.key", "dev-api-key"):
        assert (data / name).exists(), name
    assert _mode(data / "secrets.key") == 0o600
    assert _mode(data / "dev-api-key") == 0o600
    secrets_key = (data / "secrets.key").read_text()

    with running(Dev(tmp_path, env, api_url, run=2)) as again:
        assert again.wait_ready() == key, "every start prints the same dev key"
        assert (data / "secrets.key").read_text() == secrets_key
        with httpx.Client(base_url=api_url, headers={"Authorization": f"Bearer {key}"}, timeout=10) as api:
            names = [item["name"] for item in api.get("/v1/secrets").json()["items"]]
            assert names == ["SLACK_TOKEN"]
            assert api.get(f"/v1/workflows/{workflow_id}").json()["live_version"] == 1
            assert api.get(f"/v1/runs/{run_id}").json()["status"] == "running"
        _assert_gone(again.lose_a_child("relay.cli api"))
