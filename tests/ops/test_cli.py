"""The ``relay`` command against a temporary SQLite database, run as a real process."""

from sqlmodel import Session, select

from relay.services.accounts import account_for_key, hash_key
from relay.storage import Account, ApiKey, Secret, create_db_engine, upgrade
from relay.storage.secrets import SecretBox, new_key
from tests.support.procs import relay


def test_accounts_create_prints_only_the_key(sqlite_url: str) -> None:
    done = relay("accounts", "create", "Acme Inc", "--create", database_url=sqlite_url)

    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert len(lines) == 1, "stdout must be the key alone, so scripts can capture it"
    key = lines[0]
    assert key and " " not in key
    assert "Acme Inc" in done.stderr
    engine = create_db_engine(sqlite_url)
    with Session(engine) as session:
        stored = session.exec(select(ApiKey).where(ApiKey.key_hash == hash_key(key))).one()
        assert key not in stored.key_hash
    account = account_for_key(engine, key=key)
    assert account is not None and account.name == "Acme Inc"
    engine.dispose()


def test_each_account_gets_its_own_key(sqlite_url: str) -> None:
    first = relay("accounts", "create", "one", "--create", database_url=sqlite_url).stdout.strip()
    second = relay("accounts", "create", "two", database_url=sqlite_url).stdout.strip()

    assert first != second
    engine = create_db_engine(sqlite_url)
    one, two = account_for_key(engine, key=first), account_for_key(engine, key=second)
    assert one is not None and two is not None and one.id != two.id
    engine.dispose()


def test_secrets_rotate_reencrypts_with_the_first_key(sqlite_url: str) -> None:
    old, new = new_key(), new_key()
    engine = create_db_engine(sqlite_url)
    upgrade(engine)
    with Session(engine) as session:
        session.add(Account(id="acme", name="Acme"))
        session.commit()
        for name in ("SLACK_TOKEN", "CRM_KEY"):
            session.add(Secret(account_id="acme", name=name, ciphertext=SecretBox([old]).encrypt(name)))
        session.commit()

    done = relay("secrets", "rotate", database_url=sqlite_url, secrets_keys=f"{new},{old}")

    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "2"
    with Session(engine) as session:
        rows = session.exec(select(Secret)).all()
        assert {SecretBox([new]).decrypt(row.ciphertext) for row in rows} == {"SLACK_TOKEN", "CRM_KEY"}
    engine.dispose()


def test_secrets_rotate_refuses_without_keys(sqlite_url: str) -> None:
    done = relay("secrets", "rotate", database_url=sqlite_url)

    assert done.returncode != 0
    assert "RELAY_SECRETS_KEYS" in done.stderr


def test_secrets_new_key_is_usable() -> None:
    done = relay("secrets", "new-key")

    assert done.returncode == 0
    box = SecretBox([done.stdout.strip()])
    assert box.decrypt(box.encrypt("x")) == "x"


def test_unknown_command_is_a_usage_error() -> None:
    done = relay("frobnicate")

    assert done.returncode == 2
    assert "usage: relay" in done.stderr
