"""Relay's one settings class, read from the environment (prefix ``RELAY_``)."""

from functools import lru_cache
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

DATA_DIR = Path(".relay")


class Settings(BaseSettings):
    """Every knob Relay has; read once per process and passed down."""

    model_config = SettingsConfigDict(env_prefix="RELAY_", extra="ignore")

    temporal_address: str = Field("127.0.0.1:7233", description="Temporal frontend host:port")
    temporal_namespace: str = "default"
    temporal_api_key: str | None = Field(None, description="Temporal Cloud API key")
    temporal_tls_cert: Path | None = Field(None, description="client certificate (mTLS)")
    temporal_tls_key: Path | None = Field(None, description="client private key (mTLS)")
    temporal_tls_ca: Path | None = Field(None, description="server CA certificate")
    temporal_ui_url: str = "http://127.0.0.1:8233"
    task_queue: str = "relay"

    database_url: str = Field(
        f"sqlite:///{DATA_DIR / 'relay.db'}",
        description="SQLAlchemy URL: sqlite:///… or postgresql+psycopg://…",
    )
    secrets_keys: str = Field("", description="comma-separated Fernet keys; the first encrypts, all decrypt")

    payload_keys: str = Field(
        "",
        description="opt-in payload encryption: comma-separated 'key_id:base64 AES-256 key' pairs; "
        "the first encrypts, all decrypt",
    )
    codec_cors_origins: str = Field(
        "http://127.0.0.1:8233,http://localhost:8233",
        description="origins (the Temporal Web UI) allowed to call the API's /codec endpoints",
    )

    smtp_host: str = "127.0.0.1"
    smtp_port: int = 25
    smtp_username: str | None = None
    smtp_password: str | None = None
    smtp_from: str = "relay@localhost"
    smtp_starttls: bool = False

    slack_api_url: str = "https://slack.com/api"
    action_modules: str = Field("", description="comma-separated modules that register actions")

    api_host: str = "127.0.0.1"
    api_port: int = 8000
    api_url: str = Field("", description="where the worker reaches the API (emit_event)")

    @property
    def action_module_names(self) -> list[str]:
        return [m.strip() for m in self.action_modules.split(",") if m.strip()]

    @property
    def secret_key_list(self) -> list[str]:
        return [k.strip() for k in self.secrets_keys.split(",") if k.strip()]


@lru_cache
def get_settings() -> Settings:
    """The process-wide settings, read from the environment on first use."""
    return Settings()
