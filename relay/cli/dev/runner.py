"""``relay dev`` itself: prepare ``.relay/``, start the children in order, watch them."""

import asyncio
import os
import secrets
import signal
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

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
from relay.cli.dev.server import api_url as browser_api_url
from relay.core.settings import DATA_DIR, Settings
from relay.services.accounts import account_for_key, dev_account_key
from relay.storage import create_db_engine, ensure_schema
from relay.storage.secrets import new_key

SECRETS_KEY_FILE = DATA_DIR / "secrets.key"
OPERATOR_TOKEN_FILE = DATA_DIR / "codec-operator-token"
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


def _operator_token(settings: Settings) -> str | None:
    """With payload encryption on and RELAY_CODEC_OPERATOR_TOKEN unset: the generated token
    with which an operator's Web UI decodes payloads (``/codec/login``), else None."""
    if not settings.payload_keys or settings.codec_operator_token:
        return None
    if not OPERATOR_TOKEN_FILE.exists():
        _private_file(OPERATOR_TOKEN_FILE, secrets.token_urlsafe(32))
        note(f"generated a Web UI operator token into {OPERATOR_TOKEN_FILE}")
    return OPERATOR_TOKEN_FILE.read_text().strip()


def _web_ui_decoding(settings: Settings, env: dict[str, str]) -> Settings:
    """Let the Web UI decode encrypted payloads: the operator token, and the UI's origin among
    those the API's /codec answers (a custom RELAY_TEMPORAL_UI_URL included)."""
    token = _operator_token(settings)
    if token:
        settings = settings.model_copy(update={"codec_operator_token": token})
        env["RELAY_CODEC_OPERATOR_TOKEN"] = token
    ui = urlsplit(settings.temporal_ui_url)
    origin = f"{ui.scheme}://{ui.netloc}"
    if settings.payload_keys and origin not in settings.codec_cors_origins:
        settings = settings.model_copy(update={"codec_cors_origins": [*settings.codec_cors_origins, origin]})
        env["RELAY_CODEC_CORS_ORIGINS"] = ",".join(settings.codec_cors_origins)
    return settings


def _dev_api_key(settings: Settings) -> str:
    """The dev account's key: created on the first start, reused by every later one."""
    engine = create_db_engine(settings.database_url)
    try:
        ensure_schema(engine, auto_migrate=settings.auto_migrate)
        if DEV_KEY_FILE.exists():
            key = DEV_KEY_FILE.read_text().strip()
            if account_for_key(engine, key=key) is not None:
                return key
            note(f"the key in {DEV_KEY_FILE} is unknown to {settings.database_url}: new dev key")
        # Account names are unique: a dev account whose key was revoked gets a new key.
        key = dev_account_key(engine, name=DEV_ACCOUNT)
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


def _banner(api_url: str, ui_url: str, key: str, operator_login: str | None = None) -> None:
    sys.stdout.write(
        "\nRelay is running. Ctrl-C stops everything.\n"
        f"  API        {api_url}\n"
        f"  API docs   {api_url}/docs\n"
        f"  Web UI     {ui_url}\n"
        f"  API key    {key}   (dev account, kept in {DEV_KEY_FILE})\n\n"
        f"  export RELAY_KEY={key}\n"
        f'  curl -H "Authorization: Bearer $RELAY_KEY" {api_url}/v1/workflows\n\n'
    )
    if operator_login:
        sys.stdout.write(
            "  Payloads are encrypted. To read them in the Web UI, as operator:\n"
            f"    1. open {operator_login}\n"
            "       (sets an HttpOnly cookie for the API's /codec, then opens the Web UI)\n"
            "    2. once per browser, in the Web UI's Codec Server dialog (glasses icon, top right):\n"
            f"       'Use my browser setting', endpoint {api_url}/codec,\n"
            "       'Include cross-origin credentials' on, Apply\n"
            "    (docs/encryption.md)\n\n"
        )
    sys.stdout.flush()


def _operator_login(settings: Settings, api_url: str) -> str | None:
    """The operator's login link, with encryption on. A generated token rides in it after '#',
    which browsers never send, so no server or access log sees it; a token the operator set
    is theirs to type."""
    if not settings.payload_keys:
        return None
    if settings.codec_operator_token:
        return f"{api_url}/codec/login"
    return f"{api_url}/codec/login#token={_operator_token(settings)}"


def _start(settings: Settings, stack: Stack) -> tuple[str, str]:
    """Start Temporal, then the API and one worker, each answering before the next step;
    returns the API URL and the dev key."""
    DATA_DIR.mkdir(exist_ok=True)
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    generated = _secrets_keys(settings)
    if generated:
        settings = settings.model_copy(update={"secrets_keys": [generated]})
        env["RELAY_SECRETS_KEYS"] = generated
    settings = _web_ui_decoding(settings, env)
    api_url = browser_api_url(settings)

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
        _banner(api_url, settings.temporal_ui_url, key, _operator_login(settings, api_url))
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
