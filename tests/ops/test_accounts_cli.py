"""``relay accounts list | create | new-key | revoke-key`` as real processes, against a real
``relay api`` process on the same database (SQLite and PostgreSQL): a revoked key answers 401
from its next request; names are unique; no command creates a database it was not asked to."""

import asyncio
import signal
import subprocess
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from pathlib import Path

import httpx
import pytest
from sqlalchemy import Engine, inspect
from temporalio.testing import WorkflowEnvironment

from relay.services.accounts import SHOWN_CHARS
from relay.storage.secrets import new_key
from tests.support.procs import RELAY, clean_env, relay
from tests.support.servers import free_port

# PostgreSQL deployments refuse to start without a secrets key; one for every process here.
SECRETS_KEY = new_key()


def accounts(*args: str, database_url: str) -> subprocess.CompletedProcess[str]:
    return relay("accounts", *args, database_url=database_url, secrets_keys=SECRETS_KEY)


@pytest.fixture(params=["sqlite", "postgres"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A database that does not exist yet: a SQLite file not made, or an empty PostgreSQL schema."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'relay.db'}"
        return
    empty_pg: Engine = request.getfixturevalue("empty_pg")
    yield empty_pg.url.render_as_string(hide_password=False)


@asynccontextmanager
async def api_process(env: WorkflowEnvironment, database_url: str, log: Path) -> AsyncIterator[str]:
    """``relay api`` on a free port and ``database_url``; yields its base URL once it answers."""
    port = free_port()
    environment = clean_env(
        temporal_address=env.client.service_client.config.target_host,
        database_url=database_url,
        secrets_keys=SECRETS_KEY,
    )
    with log.open("ab") as out:
        proc = await asyncio.create_subprocess_exec(
            *RELAY, "api", "--port", str(port), env=environment, stdout=out, stderr=out
        )
    base = f"http://127.0.0.1:{port}"
    try:
        async with asyncio.timeout(60), httpx.AsyncClient() as probe:
            while True:
                assert proc.returncode is None, f"the API exited early: see {log}"
                try:
                    if (await probe.get(f"{base}/healthz")).status_code < 500:
                        break
                except httpx.TransportError:
                    pass
                await asyncio.sleep(0.2)
        yield base
    finally:
        if proc.returncode is None:
            proc.send_signal(signal.SIGKILL)
        await proc.wait()


def tables(database_url: str) -> list[str]:
    from relay.storage import create_db_engine

    engine = create_db_engine(database_url)
    try:
        return inspect(engine).get_table_names()
    finally:
        engine.dispose()


def ok(*args: str, database_url: str) -> str:
    done = accounts(*args, database_url=database_url)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


async def account_of(http: httpx.AsyncClient, base: str, key: str) -> httpx.Response:
    return await http.get(f"{base}/v1/account", headers={"Authorization": f"Bearer {key}"})


async def test_keys_are_listed_by_prefix_added_and_revoked_at_once(
    database_url: str, dev_env: WorkflowEnvironment, tmp_path: Path
) -> None:
    first = ok("create", "Acme", "--create", database_url=database_url)
    ok("create", "Globex", database_url=database_url)
    [acme_line] = [line for line in ok("list", database_url=database_url).splitlines() if "\tAcme\t" in line]
    account_id, name, _created, keys = acme_line.split("\t")
    assert (name, keys) == ("Acme", first[:SHOWN_CHARS])
    assert first not in acme_line

    second = ok("new-key", account_id, database_url=database_url)

    async with api_process(dev_env, database_url, tmp_path / "api.log") as base, httpx.AsyncClient() as http:
        for key in (first, second):
            answer = await account_of(http, base, key)
            assert answer.status_code == 200, answer.text
            assert answer.json() == {"id": account_id, "name": "Acme"}

        assert ok("revoke-key", first[:SHOWN_CHARS], database_url=database_url) == first[:SHOWN_CHARS]

        assert (await account_of(http, base, first)).status_code == 401
        assert (await account_of(http, base, second)).status_code == 200
        assert ok("revoke-key", second, database_url=database_url) == second[:SHOWN_CHARS]  # the whole key
        assert (await account_of(http, base, second)).status_code == 401

    listed = ok("list", database_url=database_url)
    assert f"{first[:SHOWN_CHARS]} (revoked), {second[:SHOWN_CHARS]} (revoked)" in listed


def test_names_are_unique_and_mistakes_are_one_line(database_url: str) -> None:
    ok("create", "Acme", "--create", database_url=database_url)

    again = accounts("create", "Acme", database_url=database_url)
    assert again.returncode == 1 and again.stdout == ""
    assert again.stderr.startswith("relay accounts create: an account named 'Acme' already exists")
    for args, message in (
        (("new-key", "nobody-123"), "no account with id 'nobody-123'"),
        (("revoke-key", "rk_"), "name a key by its prefix"),
        (("revoke-key", "rk_00000000"), "no key starts with 'rk_00000000'"),
    ):
        done = accounts(*args, database_url=database_url)
        assert done.returncode == 1 and message in done.stderr, done.stderr
        assert "Traceback" not in done.stderr and done.stdout == ""
    assert len(ok("list", database_url=database_url).splitlines()) == 1


@pytest.mark.parametrize(
    "action", [("list",), ("create", "Acme"), ("new-key", "acme-1"), ("revoke-key", "rk_12345678")]
)
def test_no_command_creates_a_database_unasked(database_url: str, action: tuple[str, ...]) -> None:
    done = accounts(*action, database_url=database_url)

    assert done.returncode == 2
    assert "pass --create" in done.stderr and done.stdout == ""
    assert ("there is no database at" in done.stderr) or ("has no Relay tables" in done.stderr)
    if database_url.startswith("sqlite"):
        assert not Path(database_url.removeprefix("sqlite:///")).exists()
    assert tables(database_url) == [] or database_url.startswith("sqlite")


def test_an_existing_but_empty_sqlite_file_is_refused_too(tmp_path: Path) -> None:
    path = tmp_path / "relay.db"
    path.touch()

    done = accounts("create", "Acme", database_url=f"sqlite:///{path}")

    assert done.returncode == 2 and "has no Relay tables" in done.stderr


def test_secrets_rotate_reencrypts_webhook_secrets_too(tmp_path: Path) -> None:
    from sqlmodel import Session, select

    from relay.storage import create_db_engine, upgrade
    from relay.storage.secrets import SecretBox
    from relay.storage.tables import Account, Webhook

    url, old, new = f"sqlite:///{tmp_path / 'relay.db'}", new_key(), new_key()
    engine = create_db_engine(url)
    upgrade(engine)
    with Session(engine) as session:
        session.add(Account(id="acme", name="Acme"))
        session.commit()
        ciphertext = SecretBox([old]).encrypt("whsec-0123456789abcdef")
        session.add(
            Webhook(
                account_id="acme",
                name="ops",
                url="https://x.test",
                events=["run.failed"],
                secret_ciphertext=ciphertext,
            )
        )
        session.commit()

    done = relay("secrets", "rotate", database_url=url, secrets_keys=f"{new},{old}")

    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "1"
    with Session(engine) as session:
        [row] = session.exec(select(Webhook)).all()
    assert SecretBox([new]).decrypt(row.secret_ciphertext) == "whsec-0123456789abcdef"
    engine.dispose()
