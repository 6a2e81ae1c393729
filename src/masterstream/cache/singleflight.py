"""One computation per key, however many ask at once.

The first caller for a key starts a task; later callers for the same key await the same
task (counted in ``coalesced_waiters``). Every caller awaits it through
``asyncio.shield``, so cancelling one waiter never cancels the work the others wait for.
A failure reaches every waiter and nothing is remembered: the next call starts afresh.
No lock is held while the work runs.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Hashable
from typing import Any


class SingleFlight:
    """Coalesces concurrent calls per key into one asyncio task."""

    def __init__(self) -> None:
        self._tasks: dict[Hashable, asyncio.Task[Any]] = {}
        self.flights = 0
        self.coalesced_waiters = 0

    def __contains__(self, key: object) -> bool:
        return key in self._tasks

    def __len__(self) -> int:
        return len(self._tasks)

    async def run(self, key: Hashable, work: Callable[[], Awaitable[Any]]) -> Any:
        """The result of ``work()`` for ``key``, started now or shared with a running call."""
        task = self._tasks.get(key)
        if task is None:
            task = asyncio.ensure_future(work())
            self._tasks[key] = task
            task.add_done_callback(lambda done, key=key: self._finished(key, done))
            self.flights += 1
        else:
            self.coalesced_waiters += 1
        return await asyncio.shield(task)

    def _finished(self, key: Hashable, task: asyncio.Task[Any]) -> None:
        if self._tasks.get(key) is task:
            del self._tasks[key]
        if not task.cancelled():
            task.exception()  # retrieved: a failure nobody awaits any more is not "lost"

    async def aclose(self) -> None:
        """Cancel every running task and wait for them to finish."""
        tasks = list(self._tasks.values())
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
