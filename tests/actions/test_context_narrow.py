"""A product action gets its ids, its own account's secrets, the shared HTTP client, a logger and
a heartbeat: no path to Relay's settings, database engine, secrets box or Temporal client."""

import logging
import typing
from collections.abc import Callable, Mapping
from typing import Any

import httpx
import pytest
from sqlalchemy import Engine
from sqlmodel import Session

from activities import ActionContext
from activities.builtin.email_action import SendEmail, SmtpConfig
from activities.context import AccountSecrets, ActionLogger
from relay.core.settings import Settings
from relay.storage.secrets import SecretBox
from relay.storage.tables import Account, Secret
from tests.actions.reach import FORBIDDEN, paths_to

FIELDS = {
    "account_id", "workflow_id", "run_id", "step_id", "attempt", "item_index", "idempotency_key",
    "event_depth", "secrets", "secret", "http", "log", "heartbeat",
}  # fmt: skip


@pytest.fixture
def action_modules() -> list[str]:
    return ["tests.actions.probe_actions"]


def _types_in(hint: Any) -> set[type]:
    found = {hint} if isinstance(hint, type) else set()
    for arg in typing.get_args(hint):
        found |= _types_in(arg)
    origin = typing.get_origin(hint)
    return found | ({origin} if isinstance(origin, type) else set())


def test_the_context_declares_no_settings_engine_or_client() -> None:
    hints = typing.get_type_hints(ActionContext)
    declared = set().union(*(_types_in(h) for h in hints.values()))

    assert set(hints) == {"account_id", "workflow_id", "run_id", "step_id", "attempt", "item_index",
                          "event_depth", "secrets", "http", "log"}  # fmt: skip
    assert Any not in hints.values()
    assert not {t for t in declared if issubclass(t, FORBIDDEN)}
    assert declared >= {AccountSecrets, httpx.AsyncClient, ActionLogger}
    assert typing.get_type_hints(AccountSecrets.__init__) == {
        "values": Mapping[str, str],
        "return": type(None),
    }


def test_the_walk_finds_a_path_when_there_is_one(settings: Settings, engine: Engine) -> None:
    # The built-in email action holds the database for its templates: the walk must see it.
    email = SendEmail(smtp=SmtpConfig(host="127.0.0.1", port=25, sender="r@x.org"), engine=engine)
    box = SecretBox(settings.secrets_keys)

    assert paths_to(email) == ["SendEmail -> Engine"]
    assert paths_to({"deep": [(lambda: box,)]}) != []


async def test_a_product_action_on_a_real_worker_reaches_none_of_them(
    run_action: Any,
    engine: Engine,
    account: str,
    store_secret: Callable[[str, str], None],
    caplog: pytest.LogCaptureFixture,
) -> None:
    store_secret("MINE", "mine-value")
    with Session(engine) as session:
        session.add(Account(id="acct_other", name="Other"))
        session.add(Secret(account_id="acct_other", name="THEIRS", ciphertext="not-for-you"))
        session.commit()
    caplog.set_level(logging.INFO)

    outcome = await run_action("probe_context", {"secret_names": ["MINE", "THEIRS"]})

    assert outcome.error is None, outcome.error
    probe = outcome.output
    assert probe["forbidden"] == []
    assert set(probe["fields"]) == FIELDS
    assert probe["ids"] == {"account_id": account, "workflow_id": "wf_1", "run_id": "run_1",
                            "step_id": "probe_context", "attempt": 1, "item_index": None}  # fmt: skip
    assert probe["idempotency_key"] == "run_1:probe_context"
    assert probe["visible_secrets"] == {"MINE": True, "THEIRS": False}
    [record] = [r for r in caplog.records if r.getMessage() == "probing"]
    assert record.name == "relay.actions.probe_context"
    assert (record.relay_account_id, record.relay_run_id, record.relay_step_id, record.relay_attempt) == (
        account, "run_1", "probe_context", 1,
    )  # fmt: skip
