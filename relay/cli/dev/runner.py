"""``relay dev`` itself: prepare ``.relay/``, start the children in order, watch them."""

import asyncio
import os
import signal
import sys
import time
from pathlib import Path

import httpx

from relay.cli.dev.processes import DevError, Interrupted, Stack, note
from relay.cli.dev.server import (
    START_TIMEOUT,
    TEMPORAL_LOG,
    check_ports_free,
    temporal_command,
    wait_for_temporal,
    wait_for_worker,
)
from relay.core.settings import DATA_DIR, Settings
from relay.services.accounts import account_for_key, create_account
from relay.storage import create_db_engine, ensure_schema
from relay.storage.secrets import new_key

SECRETS_KEY_FILE = DATA_DIR / "secrets.key"
DEV_KEY_FILE = DATA_DIR / "dev-api-key"
DEV_ACCOUNT = "dev"
WORKER_GRACE = 10.0  # in-flight activities get this long on Ctrl-C (below STOP_TIMEOUT)


def _private_file(path: Path, content: str) -> None:
    """Write ``content`` to ``path`` readable by its owner only (mode 600), atomically."""
    tmp = path.with_name(path.name + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(content + "\n")
    os.replace(tmp, path)


def _secrets_keys(settings: Settings) -> str | None:
    """The generated key to use when RELAY_SECRETS_KEYS is unset, else None."""
    if settings.secrets_keys:
        return None
    if not SECRETS_KEY_FILE.exists():
        _private_file(SECRETS_KEY_FILE, new_key())
        note(f"generated a secrets encryption key into {SECRETS_KEY_FILE}")
    return SECRETS_KEY_FILE.read_text().strip()


def _dev_api_key(settings: Settings) -> str:
    """The dev account's key: created on the first start, reused by every later one."""
    engine = create_db_engine(settings.database_url)
    try:
        ensure_schema(engine, auto_migrate=settings.auto_migrate)
        if DEV_KEY_FILE.exists():
            key = DEV_KEY_FILE.read_text().strip()
            if account_for_key(engine, key=key) is not None:
                return key
            note(f"the key in {DEV_KEY_FILE} is unknown to {settings.database_url}: new dev account")
        _account, key = create_account(engine, name=DEV_ACCOUNT)
        _private_file(DEV_KEY_FILE, key)
        return key
    finally:
        engine.dispose()


def _wait_for_api(url: str, stack: Stack) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    with httpx.Client(timeout=2.0) as http:
        while True:
            stack.check()
            try:
                if http.get(f"{url}/healthz").status_code == 200:
                    return
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                raise DevError(f"the API did not answer {url}/healthz within {START_TIMEOUT:.0f}s")
            time.sleep(0.25)


def _tail(path: Path, lines: int = 15) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return ""


def _banner(api_url: str, ui_url: str, key: str) -> None:
    sys.stdout.write(
        "\nRelay is running. Ctrl-C stops everything.\n"
        f"  API        {api_url}\n"
        f"  API docs   {api_url}/docs\n"
        f"  Web UI     {ui_url}\n"
        f"  API key    {key}   (dev account, kept in {DEV_KEY_FILE})\n\n"
        f"  export RELAY_KEY={key}\n"
        f'  curl -H "Authorization: Bearer $RELAY_KEY" {api_url}/v1/workflows\n\n'
    )
    sys.stdout.flush()


def _start(settings: Settings, stack: Stack) -> tuple[str, str]:
    """Start Temporal, then the API and one worker, each answering before the next step;
    returns the API URL and the dev key."""
    DATA_DIR.mkdir(exist_ok=True)
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    generated = _secrets_keys(settings)
    if generated:
        settings = settings.model_copy(update={"secrets_keys": [generated]})
        env["RELAY_SECRETS_KEYS"] = generated
    host = "127.0.0.1" if settings.api_host in ("0.0.0.0", "::", "") else settings.api_host
    api_url = f"http://{host}:{settings.api_port}"

    check_ports_free(settings)
    with TEMPORAL_LOG.open("wb") as log:
        stack.spawn("temporal", temporal_command(settings), env, output=log)
    note(f"starting Temporal on {settings.temporal_address} (log: {TEMPORAL_LOG})")
    asyncio.run(wait_for_temporal(settings, stack))

    key = _dev_api_key(settings)  # migrates the database, once, before the API and worker start
    env["RELAY_AUTO_MIGRATE"] = "false"
    relay = [sys.executable, "-m", "relay.cli"]
    stack.spawn("api", [*relay, "api"], env)
    worker = stack.spawn("worker", [*relay, "worker", "--shutdown-grace", str(WORKER_GRACE)], env)
    _wait_for_api(api_url, stack)
    asyncio.run(wait_for_worker(settings, stack, worker.proc.pid))
    return api_url, key


def run_dev(settings: Settings) -> int:
    """Run the dev stack until SIGINT/SIGTERM/SIGHUP (exit 0) or until a part of it fails (exit 1)."""
    stack = Stack()
    # SIGHUP too: a closed terminal must not leave the children (in their own sessions) behind.
    previous = {
        sig: signal.signal(sig, stack.on_signal) for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
    }
    try:
        api_url, key = _start(settings, stack)
        _banner(api_url, settings.temporal_ui_url, key)
        while True:
            stack.check()
            time.sleep(0.2)
    except Interrupted:
        note(f"{signal.Signals(stack.signal or signal.SIGINT).name}: stopping")
        return 0
    except DevError as exc:
        note(f"{exc}; stopping the rest")
        if any(c.name == "temporal" and c.exited() is not None for c in stack.children):
            note(f"last lines of {TEMPORAL_LOG}:\n{_tail(TEMPORAL_LOG)}")
        return 1
    finally:
        stack.stop()
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        note("stopped")
