"""docker-compose.yml is whole: no Docker engine here, so its wiring is checked as data."""

import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from relay.core.temporal import SEARCH_ATTRIBUTES

ROOT = Path(__file__).resolve().parents[2]
RELAY_SERVICES = ("api", "worker")


@pytest.fixture(scope="module")
def services() -> dict[str, dict[str, Any]]:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())["services"]


def _env(service: dict[str, Any]) -> dict[str, str]:
    env = service.get("environment", {})
    if isinstance(env, list):
        env = dict(item.split("=", 1) for item in env)
    return {k: str(v) for k, v in env.items()}


def _depends_on(service: dict[str, Any]) -> dict[str, dict[str, str]]:
    deps = service.get("depends_on", {})
    return {name: {} for name in deps} if isinstance(deps, list) else deps


def test_the_expected_services_exist(services: dict[str, dict[str, Any]]) -> None:
    expected = {"postgresql", "temporal", "temporal-ui", "relay-db", "api", "worker"}
    assert expected <= set(services)


def test_every_dependency_exists_with_a_condition(services: dict[str, dict[str, Any]]) -> None:
    conditions = {"service_started", "service_healthy", "service_completed_successfully"}
    for name, service in services.items():
        for target, how in _depends_on(service).items():
            assert target in services, f"{name} depends on missing {target}"
            assert how.get("condition") in conditions, f"{name} -> {target} has no condition"
            if how["condition"] == "service_healthy":
                assert "healthcheck" in services[target], f"{target} has no healthcheck"


def test_relay_services_are_configured(services: dict[str, dict[str, Any]]) -> None:
    for name in RELAY_SERVICES:
        env = _env(services[name])
        assert env["RELAY_DATABASE_URL"].startswith("postgresql+psycopg://"), name
        host = re.search(r"@([^:/]+)", env["RELAY_DATABASE_URL"]).group(1)  # type: ignore[union-attr]
        assert host in services, f"{name}'s database host {host} is not a service"
        assert env["RELAY_TEMPORAL_ADDRESS"] == "temporal:7233", name
        assert env["RELAY_TASK_QUEUE"], name
        assert "RELAY_SECRETS_KEYS" in env["RELAY_SECRETS_KEYS"], f"{name} keys come from the env"
        assert "build" in services[name] or services[name]["image"].startswith("relay")
    assert services["api"]["command"] == ["relay", "api"]
    assert services["worker"]["command"] == ["relay", "worker"]
    assert _depends_on(services["api"]) and _depends_on(services["worker"])


def test_the_api_is_published_and_listens_on_all_interfaces(
    services: dict[str, dict[str, Any]],
) -> None:
    api = services["api"]
    env = _env(api)
    assert env["RELAY_API_HOST"] == "0.0.0.0"
    assert f"8000:{env['RELAY_API_PORT']}" in [str(p) for p in api["ports"]]
    assert "healthz" in str(api["healthcheck"]["test"])


def test_the_worker_can_be_scaled(services: dict[str, dict[str, Any]]) -> None:
    worker = services["worker"]
    assert "container_name" not in worker
    assert "ports" not in worker


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        value = list(value.values())
    return [text for item in value for text in _strings(item)] if isinstance(value, list) else []


def test_relays_search_attributes_are_registered(services: dict[str, dict[str, Any]]) -> None:
    text = "\n".join(_strings(services))
    assert "search-attribute create" in text
    for key in SEARCH_ATTRIBUTES:
        kind = {"KEYWORD": "Keyword", "INT": "Int"}[key.indexed_value_type.name]
        assert re.search(rf"--name {key.name} --type {kind}\b", text), key.name


def test_temporal_runs_on_postgresql(services: dict[str, dict[str, Any]]) -> None:
    env = _env(services["temporal"])
    assert env["DB"].startswith("postgres")
    assert env["POSTGRES_SEEDS"] in services
    assert _env(services["temporal-ui"])["TEMPORAL_ADDRESS"] == "temporal:7233"


def test_images_are_pinned(services: dict[str, dict[str, Any]]) -> None:
    for name, service in services.items():
        image = service.get("image")
        assert image or "build" in service, name
        if image:
            tag = image.rpartition(":")[2] if ":" in image else ""
            assert tag and tag != "latest", f"{name} image {image} is not pinned"


def test_dockerfile_installs_the_package() -> None:
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert dockerfile.startswith("#") or "FROM python:3.11-slim" in dockerfile
    assert "FROM python:3.11-slim" in dockerfile
    assert "pip install ." in dockerfile
    ignored = (ROOT / ".dockerignore").read_text().split()
    assert ".venv" in ignored and ".relay" in ignored
