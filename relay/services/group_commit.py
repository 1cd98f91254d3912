"""Group commit: concurrent callers' small writes made in one transaction.

Each caller awaits its own write as before, but while one batch is being written the next
callers queue up, and the whole queue goes in the next transaction. With one caller at a
time nothing waits; under load (event intake at concurrency 50) one commit serves many,
which is what SQLite's single writer and PostgreSQL's commit flushes both reward.
"""

import asyncio
from collections.abc import Callable, Sequence
from typing import Generic, TypeVar

Item = TypeVar("Item")


class GroupCommit(Generic[Item]):
    """``await submit(item)`` returns once ``write`` (blocking, run in a thread) has
    committed a batch holding ``item``; a failed batch raises in every one of its callers."""

    def __init__(self, write: Callable[[Sequence[Item]], None], *, max_batch: int = 200) -> None:
        self._write = write
        self._max_batch = max_batch
        self._queue: list[tuple[Item, asyncio.Future[None]]] = []
        self._writer: asyncio.Task[None] | None = None

    async def submit(self, item: Item) -> None:
        done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._queue.append((item, done))
        if self._writer is None or self._writer.done():
            self._writer = asyncio.create_task(self._drain())
        await asyncio.shield(done)  # a caller cancelled still leaves its write in the batch

    async def _drain(self) -> None:
        while self._queue:
            batch, self._queue = self._queue[: self._max_batch], self._queue[self._max_batch :]
            try:
                await asyncio.to_thread(self._write, [item for item, _ in batch])
            except Exception as exc:
                for _, done in batch:
                    if not done.done():
                        done.set_exception(exc)
                continue
            for _, done in batch:
                if not done.done():
                    done.set_result(None)
