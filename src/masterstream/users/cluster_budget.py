"""Render budgets counted across the servers of a cluster.

Each server keeps its own token buckets (:class:`~.budget.RenderBudget`: the check on the
request path stays in memory). :class:`ClusterBudget` adds what the *other* servers
rendered for the same principal: every ``interval_s`` it adds this server's new charges to
a per-minute counter in the shared store (Redis ``HINCRBY`` on one hash per minute,
expiring) and reads the current and previous minutes back. Over a sliding minute (the
previous minute weighted by how much of it is still inside the window), the cluster's
count minus this server's own is what the others used; the budget subtracts it. So a user
cycling presets through three servers behind a load balancer gets one budget, not three,
within about ``interval_s``. With the store unreachable, each server enforces its own.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections import Counter
from collections.abc import Callable
from typing import Protocol

from .budget import MINUTE_S, RenderBudget

log = logging.getLogger("masterstream.users")


class CounterStore(Protocol):
    """Per-window counters shared by the servers (the shared Redis tier is one)."""

    async def add_counts(self, window: str, counts: dict[str, int], ttl_s: float) -> bool: ...

    async def read_counts(self, window: str) -> dict[str, int] | None: ...


class ClusterBudget:
    """Shares ``budget``'s charges through ``store`` and subtracts the other servers'."""

    def __init__(
        self, budget: RenderBudget, store: CounterStore, *, interval_s: float = 1.0,
        clock: Callable[[], float] = time.time,
    ) -> None:  # fmt: skip
        self.budget = budget
        self.store = store
        self.interval_s = interval_s
        self.clock = clock
        self._pending: Counter[str] = Counter()
        self._own: dict[int, Counter[str]] = {}  # minute -> this server's charges in it
        self._task: asyncio.Task[None] | None = None
        budget.on_charge.append(self._charged)

    def _charged(self, key: str, renders: int) -> None:
        self._pending[key] += renders
        self._own.setdefault(self._minute(), Counter())[key] += renders

    def _minute(self) -> int:
        return int(self.clock() // MINUTE_S)

    async def sync(self) -> None:
        """Publish this server's new charges; learn what the others used."""
        minute = self._minute()
        if self._pending:
            pending, self._pending = self._pending, Counter()
            if not await self.store.add_counts(str(minute), dict(pending), 2 * MINUTE_S):
                self._pending.update(pending)  # try again next time
        current = await self.store.read_counts(str(minute))
        previous = await self.store.read_counts(str(minute - 1))
        if current is None or previous is None:
            return  # the store is away: every server counts its own meanwhile
        weight = 1.0 - (self.clock() / MINUTE_S - minute)  # of the previous minute, still in
        own_now, own_before = self._own.get(minute, Counter()), self._own.get(minute - 1, Counter())
        others = {
            key: (current.get(key, 0) - own_now[key])
            + weight * (previous.get(key, 0) - own_before[key])
            for key in {*current, *previous}
        }  # fmt: skip
        self.budget.others = {key: used for key, used in others.items() if used > 0}
        for old in [m for m in self._own if m < minute - 1]:
            del self._own[old]

    def start(self) -> None:
        self._task = asyncio.get_running_loop().create_task(self._run(), name="cluster-budget")

    async def _run(self) -> None:
        while True:
            try:
                await self.sync()
            except Exception:  # never let budget sharing take anything else down
                log.exception("sharing render budgets failed")
            await asyncio.sleep(self.interval_s)

    async def aclose(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
