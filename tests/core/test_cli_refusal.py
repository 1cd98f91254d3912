"""``relay api``/``worker``/``dev`` refuse an unusable environment in one line, exit code 2."""

import pytest

from tests.support.procs import relay

POSTGRES = "postgresql+psycopg://relay@127.0.0.1:9/relay"  # never reached: the check comes first


@pytest.mark.parametrize("command", ["api", "worker", "dev"])
def test_a_deployment_without_a_key_stops_before_starting(command: str) -> None:
    done = relay(command, database_url=POSTGRES)

    assert done.returncode == 2
    assert done.stderr.startswith("relay: RELAY_SECRETS_KEYS is empty: with a PostgreSQL database")
    assert done.stderr.count("\n") == 1, done.stderr
    assert done.stdout == ""


def test_a_placeholder_key_in_production_stops_the_worker() -> None:
    done = relay("worker", env="production", secrets_keys="changeme")

    assert done.returncode == 2
    assert done.stderr.startswith("relay: RELAY_SECRETS_KEYS entry 1 is not a Fernet key")
    assert "changeme" not in done.stderr


def test_a_new_key_prints_while_the_environment_lacks_one() -> None:
    done = relay("secrets", "new-key", env="production", secrets_keys="changeme")

    assert done.returncode == 0, done.stderr
    assert len(done.stdout.strip()) == 44
