"""``relay api`` as a process of its own (real HTTP, its own memory), on a fresh SQLite
database and a given Temporal; no worker."""

import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
from temporalio.testing import WorkflowEnvironment

from relay.services.accounts import create_account
from relay.storage import create_db_engine, upgrade
from relay.storage.secrets import new_key
from tests.support.procs import RELAY, clean_env
from tests.support.servers import free_port

REPO = Path(__file__).resolve().parents[2]


@dataclass
class LiveApi:
    url: str
    keys: list[str]
    pid: int
    # The RELAY_* settings it runs with (names without the prefix), for a worker beside it.
    settings: dict[str, str]

    def client(self, key: str, **options: object) -> httpx.AsyncClient:
        return httpx.AsyncClient(
            base_url=self.url,
            headers={"Authorization": f"Bearer {key}"},
            timeout=60,
            **options,  # type: ignore[arg-type]
        )


@contextmanager
def live_api(
    env: WorkflowEnvironment, folder: Path, *, accounts: tuple[str, ...] = ("Acme",), **settings: str
) -> Iterator[LiveApi]:
    """Start ``relay api`` (``settings``: more RELAY_* values, names without the prefix) with
    one key per named account; stopped (SIGTERM, then SIGKILL) on the way out."""
    database_url = f"sqlite:///{folder / 'relay.db'}"
    engine = create_db_engine(database_url)
    upgrade(engine)
    keys = [create_account(engine, name=name)[1] for name in accounts]
    engine.dispose()
    port = free_port()
    relay = {
        "database_url": database_url,
        "temporal_address": env.client.service_client.config.target_host,
        "temporal_namespace": env.client.namespace,
        "secrets_keys": new_key(),
        "api_host": "127.0.0.1",
        "api_port": str(port),
        "task_queue": f"live-api-{port}",
        **settings,
    }
    environment = clean_env(**relay)
    log_path = folder / "api.log"
    with log_path.open("wb") as log:
        proc = subprocess.Popen([*RELAY, "api"], env=environment, stdout=log, stderr=log, cwd=REPO)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            assert proc.poll() is None, f"relay api exited early:\n{log_path.read_text()[-3000:]}"
            try:
                if httpx.get(f"{url}/healthz", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert time.monotonic() < deadline, f"relay api did not answer:\n{log_path.read_text()[-3000:]}"
            time.sleep(0.2)
        yield LiveApi(url=url, keys=keys, pid=proc.pid, settings=relay)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
