"""Which account a Temporal workflow belongs to, for labelling the payloads written for it.

Relay names every workflow it starts ``relay-{account_id}-…`` (runs, their foreach parts,
schedules, bulk jobs). Account ids contain dashes themselves, so the id is not split out by
pattern: each ``relay-x-y-…`` prefix is a candidate and the accounts table says which one
exists.
"""

import asyncio
import time

from sqlalchemy import Engine
from sqlmodel import Session, select

from relay.storage.tables import Account

PREFIX = "relay-"


def account_candidates(workflow_id: str) -> list[str]:
    """``relay-acme-1f3a9c0b-wf-…`` → ``["acme", "acme-1f3a9c0b", "acme-1f3a9c0b-wf", …]``."""
    if not workflow_id.startswith(PREFIX):
        return []
    rest = workflow_id[len(PREFIX) :]
    return [rest[:i] for i, char in enumerate(rest) if char == "-" and i > 0]


class WorkflowAccounts:
    """``await account_of(workflow_id)``: the id of the account whose workflow it is, or None.

    Every payload Relay writes asks, so the answer comes from memory: the account ids are
    loaded once and again only when a workflow id names none of them (a new account), at most
    once per ``REFRESH_EVERY`` (measured: a query per new workflow id put 200 concurrent
    events past intake's 2 s Temporal deadline). Accounts are never deleted, so an id once
    known stays right.
    """

    REFRESH_EVERY = 1.0  # seconds

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._known: frozenset[str] = frozenset()
        self._loaded_at = float("-inf")
        self._loading: asyncio.Future[None] | None = None

    async def account_of(self, workflow_id: str) -> str | None:
        candidates = account_candidates(workflow_id)
        if not candidates:
            return None
        found = self._match(candidates)
        if found is None and time.monotonic() - self._loaded_at >= self.REFRESH_EVERY:
            await self._reload()
            found = self._match(candidates)
        return found

    def _match(self, candidates: list[str]) -> str | None:
        # Longest wins: only an account named after another's full id could make two match.
        found = [c for c in candidates if c in self._known]
        return max(found, key=len) if found else None

    async def _reload(self) -> None:
        if self._loading is None or self._loading.done():
            self._loading = asyncio.ensure_future(self._load())
        await asyncio.shield(self._loading)

    async def _load(self) -> None:
        self._known = frozenset(await asyncio.to_thread(self._all_ids))
        self._loaded_at = time.monotonic()

    def _all_ids(self) -> list[str]:
        with Session(self._engine) as session:
            return list(session.exec(select(Account.id)).all())
