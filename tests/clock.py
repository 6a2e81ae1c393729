"""The one fake clock of the test suite: time moves only when a test moves it.

Pass the clock where code takes ``clock=`` (it is a callable returning seconds) and its
``sleep`` where code takes ``sleep=``. ``tick`` moves time for code that only reads the
clock; ``advance`` moves it while tasks sleep on it, waking each sleeper at its deadline
and letting it run before time moves on.
"""

from __future__ import annotations

import asyncio
import heapq
import itertools


class FakeClock:
    """Seconds (from ``start_s``) that only move when the test says so."""

    def __init__(self, start_s: float = 0.0) -> None:
        self.now_s = start_s
        self._sleepers: list[tuple[float, int, asyncio.Future[None]]] = []
        self._order = itertools.count()

    def __call__(self) -> float:
        return self.now_s

    def tick(self, delta_s: float) -> None:
        """Move time forward; for code that reads the clock but never sleeps on it."""
        if any(not future.done() for *_, future in self._sleepers):
            raise RuntimeError("tasks sleep on this clock: use 'await clock.advance(...)'")
        self.now_s += delta_s

    async def sleep(self, delay_s: float) -> None:
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        heapq.heappush(self._sleepers, (self.now_s + delay_s, next(self._order), future))
        await future

    async def settle(self, rounds: int = 50) -> None:
        """Let every task run until it blocks (for tests without threads)."""
        for _ in range(rounds):
            await asyncio.sleep(0)

    async def advance(self, delta_s: float) -> None:
        """Move time forward, waking sleepers in deadline order and letting them run."""
        target_s = self.now_s + delta_s
        await self.settle()
        while self._sleepers and self._sleepers[0][0] <= target_s:
            deadline_s, _, future = heapq.heappop(self._sleepers)
            self.now_s = max(self.now_s, deadline_s)
            if not future.done():
                future.set_result(None)
            await self.settle()
        self.now_s = target_s
        await self.settle()
