"""Settings read from the environment: list settings, and the refusal to start without a real key."""

import pytest
from pydantic import ValidationError

from relay.core.codec import new_payload_key
from relay.core.settings import Settings, SettingsError, get_settings
from relay.storage.secrets import new_key

POSTGRES = "postgresql+psycopg://relay@127.0.0.1:5432/relay"
PLACEHOLDERS = ["", " , ", "changeme", "placeholder", "xxx", "secret"]


def test_list_settings_read_the_comma_separated_environment_form(monkeypatch: pytest.MonkeyPatch) -> None:
    first, second = new_key(), new_key()
    payload = new_payload_key("k1")
    monkeypatch.setenv("RELAY_ACTION_MODULES", "examples.crm_actions, bench.noop_actions,")
    monkeypatch.setenv("RELAY_SECRETS_KEYS", f"{first},{second}")
    monkeypatch.setenv("RELAY_PAYLOAD_KEYS", payload)
    monkeypatch.setenv("RELAY_CODEC_CORS_ORIGINS", "https://ui.example/, http://localhost:8233")

    settings = Settings()

    assert settings.action_modules == ["examples.crm_actions", "bench.noop_actions"]
    assert settings.secrets_keys == [first, second]
    assert settings.payload_keys == [payload]
    assert settings.codec_cors_origins == ["https://ui.example", "http://localhost:8233"]


def test_list_settings_take_lists_or_strings_in_code() -> None:
    assert Settings(action_modules=["a", "b"]).action_modules == ["a", "b"]
    assert Settings(action_modules="a,b").action_modules == ["a", "b"]
    defaults = Settings()
    assert defaults.action_modules == defaults.secrets_keys == defaults.payload_keys == []
    assert defaults.codec_cors_origins == ["http://127.0.0.1:8233", "http://localhost:8233"]


@pytest.mark.parametrize("keys", PLACEHOLDERS)
@pytest.mark.parametrize(
    "deployment", [{"RELAY_DATABASE_URL": POSTGRES}, {"RELAY_ENV": "production"}], ids=["postgres", "production"]
)
def test_a_deployment_refuses_to_start_without_a_real_key(
    monkeypatch: pytest.MonkeyPatch, deployment: dict[str, str], keys: str
) -> None:
    for name, value in deployment.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("RELAY_SECRETS_KEYS", keys)

    with pytest.raises(SettingsError) as refused:
        get_settings()

    message = str(refused.value)
    assert message.startswith("RELAY_SECRETS_KEYS ")
    assert "\n" not in message
    assert "relay secrets new-key" in message
    assert repr(keys) not in message and "input" not in message, "the value itself is never echoed"


@pytest.mark.parametrize("deployment", [{"database_url": POSTGRES}, {"env": "production"}])
def test_a_deployment_starts_with_a_generated_key(deployment: dict[str, str]) -> None:
    key = new_key()
    assert Settings(**deployment, secrets_keys=key).secrets_keys == [key]


def test_development_on_sqlite_starts_without_a_key() -> None:
    assert get_settings().secrets_keys == []


def test_a_placeholder_key_is_refused_in_development_too() -> None:
    """SecretBox could never use it: better said at start than as a 503 later."""
    with pytest.raises(ValidationError, match="RELAY_SECRETS_KEYS entry 2 is not a Fernet key"):
        Settings(secrets_keys=[new_key(), "changeme"])


def test_a_malformed_payload_key_is_refused_at_start(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RELAY_PAYLOAD_KEYS", "no-colon")
    with pytest.raises(SettingsError, match="RELAY_PAYLOAD_KEYS entry 1 must look like"):
        get_settings()


def test_other_invalid_values_are_named_by_their_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RELAY_SMTP_PORT", "twenty-five")
    monkeypatch.setenv("RELAY_ENV", "staging")
    with pytest.raises(SettingsError) as refused:
        get_settings()
    assert "RELAY_SMTP_PORT: " in str(refused.value)
    assert "RELAY_ENV: " in str(refused.value)
