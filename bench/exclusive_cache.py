"""A ChunkCache whose tiers hold disjoint keys: the manager change the replay measures.

Today tier2 gets a copy of every chunk tier1 holds (renders are written to both, tier2
hits are copied up), so 12 MB of the 252 MB budget hold duplicates. Here a key lives in
one tier only:

- a render for a listener goes to tier1 only; tier2 gets it when tier1 evicts it
  (``MemoryTier.on_evict`` schedules the write, tracked like any tier2 write);
- a tier2 hit (or a look-ahead promotion) moves the chunk up: stored in tier1, then
  deleted from tier2; if tier1 cannot take it, it stays in tier2;
- warm fills still go to tier2 only.

Only the manager's storing decisions change; tiers, policies, single-flight and epochs
are the real ones. A chunk that only tier1 holds is lost when the process stops unless
tier1 is written down on shutdown (not done here: a replay does not restart).
"""

from __future__ import annotations

import asyncio

from masterstream.cache import ChunkCache, ChunkKey
from masterstream.cache.protocols import Priority


class ExclusiveChunkCache(ChunkCache):
    """:class:`ChunkCache` with exclusive tiers (see the module docstring)."""

    move_up = True
    """True: a tier2 hit moves the chunk to tier1; False: copies it (tier2 keeps it and
    its policy keeps the hit; on eviction from tier1 nothing is written, tier2 is told)."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if not hasattr(self.tier1, "on_evict"):
            raise TypeError("exclusive tiers need a tier1 that reports evictions (on_evict)")
        self.tier1.on_evict = self._demote
        self.demotions = 0

    def _demote(self, key: ChunkKey, data: bytes) -> None:
        """tier1 evicted ``key``: write it down to tier2 (in the background, tracked)."""
        self.demotions += 1
        if key in self.tier2:  # a copy already there: tell its policy it was just used
            self.tier2.touch(key)
            return
        self._writing[key] = data
        task = asyncio.get_running_loop().create_task(
            self._store_tier2(key, data, self._epoch_of(key))
        )
        self._write_tasks.add(task)
        task.add_done_callback(self._write_tasks.discard)

    async def _store_tier2(self, key: ChunkKey, data: bytes, epoch: tuple[int, int]) -> None:
        if key in self.tier1:  # a fresh render kept in tier1: tier2 gets it on eviction
            self._writing.pop(key, None)
            return
        await super()._store_tier2(key, data, epoch)

    async def _move_up(self, key: ChunkKey, data: bytes) -> None:
        if await self._put(self.tier1, key, data) and self.move_up:
            tier2 = self.tier2
            await asyncio.to_thread(tier2.delete, key) if tier2.blocking else tier2.delete(key)

    async def _lookup(self, key: ChunkKey) -> tuple[bytes | None, str]:
        data = self.tier1.get(key)
        if data is not None:
            return data, "tier1"
        tier2 = self.tier2
        data = await asyncio.to_thread(tier2.get, key) if tier2.blocking else tier2.get(key)
        if data is not None:
            await self._move_up(key, data)
            return data, "tier2"
        return None, "miss"

    async def prefetch(self, key: ChunkKey, *, to_tier1: bool, priority: Priority) -> None:
        if to_tier1 and self.tier1.touch(key):
            return
        if key in self.tier2:
            tier2 = self.tier2
            data = await asyncio.to_thread(tier2.peek, key) if tier2.blocking else tier2.peek(key)
            if data is not None:
                tier2.touch(key)
                if to_tier1:
                    await self._move_up(key, data)
                return
        await self.render_once(key, to_tier1=to_tier1, priority=priority)

    def cached_in(self, key: ChunkKey, tier: str) -> bool:
        """As in the base class, but tier1 also counts for tier2 (a key is in one tier)."""
        if tier == "tier2" and key in self.tier1:
            return True
        return super().cached_in(key, tier)

    async def aclose(self) -> None:
        await super().aclose()
        self.tier1.on_evict = None


class WriteBackChunkCache(ExclusiveChunkCache):
    """Renders go to tier1 only and are written to tier2 when tier1 evicts them; tier2
    hits are copied up (tier2 keeps them, so its policy sees every reuse)."""

    move_up = False
