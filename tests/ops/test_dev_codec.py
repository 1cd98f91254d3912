"""``relay dev`` with payload encryption on wires the Web UI to the API's /codec: the UI's
codec endpoint, a generated operator token (mode 600) and the one-click login it prints."""

import re
import stat
from pathlib import Path

import httpx
import pytest

from relay.cli.dev.server import temporal_command
from relay.core.codec import new_payload_key
from relay.core.settings import Settings
from tests.ops.test_dev_smoke import Dev, _assert_gone, running
from tests.support.procs import clean_env
from tests.support.servers import free_port

LOGIN_LINE = re.compile(r"open (http://\S+/codec/login)#token=(\S+)")


def _flag(cmd: list[str], name: str) -> str | None:
    return cmd[cmd.index(name) + 1] if name in cmd else None


def test_the_ui_codec_endpoint_is_wired_only_with_encryption_on() -> None:
    plain = temporal_command(Settings())
    encrypted = temporal_command(
        Settings(payload_keys=new_payload_key("k"), api_host="0.0.0.0", api_port=8100)
    )

    assert _flag(plain, "--ui-codec-endpoint") is None
    # A wildcard bind is reached on 127.0.0.1, the UI's own host: the same site for the cookie.
    assert _flag(encrypted, "--ui-codec-endpoint") == "http://127.0.0.1:8100/codec"


@pytest.mark.dev_smoke
@pytest.mark.timeout(120)
def test_relay_dev_with_encryption_lets_the_operator_decode(tmp_path: Path) -> None:
    api_port, ui_port = free_port(), free_port()
    api_url, ui_url = f"http://127.0.0.1:{api_port}", f"http://127.0.0.1:{ui_port}"
    env = clean_env(
        temporal_address=f"127.0.0.1:{free_port()}",
        temporal_ui_url=ui_url,  # not in the default CORS origins: relay dev adds it
        api_port=str(api_port),
        payload_keys=new_payload_key("dev"),
    )

    with running(Dev(tmp_path, env, api_url, run=1)) as dev:
        dev.wait_ready()
        found = LOGIN_LINE.search(dev.out.read_text())
        assert found, dev.output()
        login_url, token = found.groups()
        token_file = tmp_path / ".relay" / "codec-operator-token"
        assert token_file.read_text().strip() == token
        assert stat.S_IMODE(token_file.stat().st_mode) == 0o600

        # The Web UI was started with the API's /codec as its codec endpoint.
        ui_settings = httpx.get(f"{ui_url}/api/v1/settings", timeout=10).json()
        assert ui_settings["Codec"]["Endpoint"] == f"{api_url}/codec"

        with httpx.Client(base_url=api_url, headers={"Origin": ui_url}, timeout=10) as browser:
            assert browser.post("/codec/decode", json={"payloads": []}).status_code == 401
            login = browser.post(login_url.removeprefix(api_url), data={"token": token})
            assert login.status_code == 303 and login.headers["location"] == ui_url
            decoded = browser.post("/codec/decode", json={"payloads": []})
            assert decoded.status_code == 200, decoded.text
            assert decoded.headers["access-control-allow-origin"] == ui_url
            assert decoded.headers["access-control-allow-credentials"] == "true"
        assert token not in (tmp_path / "dev-1.err").read_text()  # never logged
        _assert_gone(dev.interrupt())
