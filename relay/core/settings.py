"""Relay's one settings class, read from the environment (prefix ``RELAY_``) and checked at start."""

from functools import lru_cache
from pathlib import Path
from typing import Annotated, Literal, Self

from cryptography.fernet import Fernet
from pydantic import BeforeValidator, Field, PrivateAttr, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict
from temporalio.envconfig import ClientConfigProfile

from relay.core.codec import parse_payload_keys

DATA_DIR = Path(".relay")
NEW_KEY_HINT = "`relay secrets new-key` prints one"


def _comma_separated(value: object) -> object:
    """The environment form ``a,b`` as ``["a", "b"]``; blanks around and between items dropped."""
    if isinstance(value, str):
        return [item.strip() for item in value.split(",") if item.strip()]
    return value


# A list setting written ``RELAY_X=a,b`` in the environment (NoDecode: not as JSON).
CommaList = Annotated[list[str], NoDecode, BeforeValidator(_comma_separated)]


class SettingsError(ValueError):
    """The environment does not make a usable configuration; the message names the variable."""


class Settings(BaseSettings):
    """Every knob Relay has; read once per process and passed down.

    The Temporal connection falls back to the SDK's environment configuration
    (``TEMPORAL_ADDRESS``, ``TEMPORAL_NAMESPACE``, ``TEMPORAL_API_KEY``, ``TEMPORAL_TLS_*``,
    the ``temporal.toml`` profile) for whatever ``RELAY_TEMPORAL_*`` leaves unset.
    """

    model_config = SettingsConfigDict(env_prefix="RELAY_", extra="ignore")

    env: Literal["development", "production"] = Field(
        "development", description="production refuses to start without a real RELAY_SECRETS_KEYS"
    )

    temporal_address: str = Field("127.0.0.1:7233", description="Temporal frontend host:port")
    temporal_namespace: str = Field("default", description="Temporal namespace")
    temporal_api_key: str | None = Field(None, description="Temporal Cloud API key (implies TLS)")
    temporal_tls_cert: Path | None = Field(None, description="client certificate (mTLS)")
    temporal_tls_key: Path | None = Field(None, description="client private key (mTLS)")
    temporal_tls_ca: Path | None = Field(None, description="server CA certificate")
    temporal_ui_url: str = Field("http://127.0.0.1:8233", description="Web UI base for run links")
    task_queue: str = Field("relay", description="the task queue Relay's workers poll")
    action_heartbeat_timeout: float = Field(
        10.0,
        gt=0,
        description="seconds an action step may go without a heartbeat before it is retried on another "
        "worker (steps without their own heartbeat; the runtime beats every third of it)",
    )
    max_event_depth: int = Field(
        8, ge=0, description="events emitted by runs deeper than this chain start no run (loop guard)"
    )
    sweep_interval: float = Field(
        15.0, gt=0, description="seconds between sweeps for recorded but undispatched events and runs"
    )
    fairness: Literal["account", "off"] = Field(
        "account",
        description="account: every run and its activities carry the account id as Temporal fairness key, "
        "so one account's backlog cannot starve another's (docs/flow-control.md); off: plain FIFO",
    )
    account_max_active_runs: int | None = Field(
        None, ge=1, description="optional cap on an account's runs active at once; more wait, queued"
    )

    database_url: str = Field(
        f"sqlite:///{DATA_DIR / 'relay.db'}",
        description="SQLAlchemy URL: sqlite:///… or postgresql+psycopg://…",
    )
    auto_migrate: bool = Field(True, description="api, worker and dev upgrade the database schema at start")
    secrets_keys: CommaList = Field(
        default_factory=list, description="Fernet keys (comma-separated); the first encrypts, all decrypt"
    )
    payload_keys: CommaList = Field(
        default_factory=list,
        description="opt-in payload encryption: 'key_id:base64 AES-256 key' entries (comma-separated); "
        "the first encrypts, all decrypt",
    )
    codec_cors_origins: CommaList = Field(
        default_factory=lambda: ["http://127.0.0.1:8233", "http://localhost:8233"],
        description="origins (the Temporal Web UI) allowed to call the API's /codec endpoints",
    )
    codec_operator_token: str | None = Field(
        None,
        repr=False,
        description="operators exchange it at <api>/codec/login for a cookie with which the Web UI "
        "decodes every account's payloads; unset: no operator login (`relay dev` generates one)",
    )

    smtp_host: str = "127.0.0.1"
    smtp_port: int = 25
    smtp_username: str | None = None
    smtp_password: str | None = None
    smtp_from: str = "relay@localhost"
    smtp_starttls: bool = False

    slack_api_url: str = "https://slack.com/api"
    http_allow: CommaList = Field(
        default_factory=list,
        description="hosts or CIDRs (comma-separated) that actions taking a URL from a definition "
        "(http_request) may reach although they are loopback, private, link-local or cloud metadata; "
        "empty: all such addresses are refused (docs/security.md)",
    )
    action_modules: CommaList = Field(
        default_factory=list, description="modules that register actions (comma-separated)"
    )

    api_host: str = "127.0.0.1"
    api_port: int = 8000

    log_format: Literal["json", "text"] = Field(
        "text", description="json: one JSON object a line; text: key=value lines for people"
    )
    worker_metrics_port: int | None = Field(
        None,
        ge=1,
        le=65535,
        description="port where a worker serves Prometheus metrics (the SDK's and Relay's steps); "
        "off when unset",
    )
    worker_metrics_host: str = Field(
        "127.0.0.1", description="address the worker's metrics port binds (0.0.0.0 in a container)"
    )
    worker_memory_trim_interval: float = Field(
        5.0,
        ge=0,
        description="glibc only: every this many seconds a worker hands the memory its allocator "
        "holds free back to the system, so its RSS comes back down after runs with large payloads "
        "(docs/performance.md, Worker memory); 0: never",
    )
    worker_mmap_threshold: int = Field(
        0,
        ge=0,
        le=32 * 1024 * 1024,
        description="glibc only: a worker maps memory blocks of this many bytes and more on their "
        "own and returns them when freed, which also keeps its peak RSS low during runs with large "
        "payloads, at a CPU cost per large block (docs/performance.md, Worker memory); 0: glibc's "
        "default, a threshold that rises up to 32 MiB",
    )
    max_body_bytes: int = Field(
        1024 * 1024, ge=1024, description="largest request body the API reads (413 above); 1 MiB"
    )
    max_definition_bytes: int = Field(
        8 * 1024 * 1024,
        ge=1024,
        description="largest body of the requests that carry a definition (create, replace, test "
        "a workflow); 8 MiB",
    )

    # The SDK's environment configuration, for what the fields above cannot hold (TLS given as
    # data, gRPC metadata).
    _temporal_profile: ClientConfigProfile = PrivateAttr(default_factory=ClientConfigProfile)

    @field_validator("codec_cors_origins")
    @classmethod
    def _origins_without_trailing_slash(cls, origins: list[str]) -> list[str]:
        return [origin.rstrip("/") for origin in origins]

    @field_validator("payload_keys")
    @classmethod
    def _payload_keys_parse(cls, entries: list[str]) -> list[str]:
        parse_payload_keys(entries)  # a malformed entry stops the start, named
        return entries

    @model_validator(mode="after")
    def _secrets_keys_usable(self) -> Self:
        for position, key in enumerate(self.secrets_keys, start=1):
            if not _is_fernet_key(key):
                raise ValueError(
                    f"RELAY_SECRETS_KEYS entry {position} is not a Fernet key (a placeholder?); "
                    f"{NEW_KEY_HINT}"
                )
        if not self.secrets_keys and self.needs_secrets_key:
            why = "RELAY_ENV=production" if self.env == "production" else "a PostgreSQL database"
            raise ValueError(
                f"RELAY_SECRETS_KEYS is empty: with {why} Relay refuses to start without the key "
                f"that encrypts account secrets; {NEW_KEY_HINT}"
            )
        return self

    @model_validator(mode="after")
    def _temporal_environment(self) -> Self:
        """``TEMPORAL_*`` (and the ``temporal.toml`` profile) fill what ``RELAY_TEMPORAL_*`` leaves unset."""
        try:
            profile = ClientConfigProfile.load()
        except Exception as exc:  # the SDK reports a bad profile file as a bare RuntimeError
            raise ValueError(f"Temporal environment configuration (TEMPORAL_*): {exc}") from None
        explicit = self.model_fields_set
        if profile.address and "temporal_address" not in explicit:
            self.temporal_address = profile.address
        if profile.namespace and "temporal_namespace" not in explicit:
            self.temporal_namespace = profile.namespace
        if profile.api_key and "temporal_api_key" not in explicit:
            self.temporal_api_key = profile.api_key
        self._temporal_profile = profile
        return self

    @property
    def needs_secrets_key(self) -> bool:
        """A deployment (PostgreSQL or RELAY_ENV=production), where a missing key is a mistake."""
        scheme = self.database_url.partition(":")[0].partition("+")[0]
        return self.env == "production" or scheme in ("postgresql", "postgres")

    @property
    def temporal_profile(self) -> ClientConfigProfile:
        """The SDK's environment configuration (``TEMPORAL_*``, ``temporal.toml``) as loaded."""
        return self._temporal_profile


def _is_fernet_key(key: str) -> bool:
    try:
        Fernet(key.encode())
    except ValueError:  # binascii.Error included: not base64, or not 32 bytes
        return False
    return True


def describe(error: ValidationError) -> str:
    """A validation error as one line naming the variables, without echoing their values."""
    problems = []
    for item in error.errors(include_input=False, include_url=False):
        message = item["msg"].removeprefix("Value error, ")
        name = f"RELAY_{str(item['loc'][0]).upper()}" if item["loc"] else ""
        problems.append(message if not name or name in message else f"{name}: {message}")
    return "; ".join(problems)


@lru_cache
def get_settings() -> Settings:
    """The process-wide settings, read from the environment on first use.

    Raises ``SettingsError`` (one line, naming the variable) when the environment is unusable.
    """
    try:
        return Settings()
    except ValidationError as exc:
        raise SettingsError(describe(exc)) from None
