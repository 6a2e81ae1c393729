"""Writes to tier2 behind the response: tier1's victims, warm fills, chunks tier1 refuses.

The tiers hold disjoint keys (see :mod:`.manager`): tier2 gets a chunk when tier1 evicts
it (:meth:`WriteBehind.demote`, wired as the memory tier's ``on_evict``), when the warmer
fills it into tier2 only, or when it is too big for tier1. Every write runs as a tracked
task (a blocking tier in a thread, never on the event loop); until it is done the bytes
stay reachable here, so nobody renders the chunk again. A write carries the epoch of its
chunk's track from when it was scheduled and stores nothing if a clear moved it since.
A chunk moved up to tier1 while its write was pending is not written (or, if the write
was already running, deleted from tier2 again), so a key is in one tier at a time. With a
``share`` (the bytes tier2 may use now, see :mod:`.placement`), tier2 is resized to it
before each write, and :meth:`WriteBehind.shrink` resizes it when tier1 grows.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .keys import ChunkKey
    from .tier import Tier

Epoch = tuple[int, int]


async def put(tier: Tier, key: ChunkKey, data: bytes) -> bool:
    """``tier.put``, in a thread when the tier blocks."""
    if tier.blocking:
        return await asyncio.to_thread(tier.put, key, data)
    return tier.put(key, data)


async def call(tier: Tier, fn: Callable[..., object], *args: object) -> object:
    """``fn(*args)`` on ``tier``'s terms: in a thread when the tier blocks."""
    return await asyncio.to_thread(fn, *args) if tier.blocking else fn(*args)


class WriteBehind:
    """Pending tier2 writes, by key, each a tracked background task."""

    def __init__(
        self,
        tier1: Tier,
        tier2: Tier,
        epoch_of: Callable[[ChunkKey], Epoch],
        share: Callable[[], int] | None = None,
    ) -> None:
        self.tier1 = tier1
        self.tier2 = tier2
        self._epoch_of = epoch_of
        self._share = share
        self._pending: dict[ChunkKey, tuple[bytes, asyncio.Task[None]]] = {}
        self._tasks: set[asyncio.Task[None]] = set()
        self.demotions = 0

    def demote(self, key: ChunkKey, data: bytes, *, reused: bool = False) -> None:
        """tier1 evicted ``key``: write it down to tier2 (tier2's most recent end);
        ``reused``: it was hit while up there, and tier2's policy is told so."""
        self.demotions += 1
        if key in self.tier2:  # a copy is there already (a race): it was just used
            self.tier2.touch(key)
            return
        self.schedule(key, data, self._epoch_of(key), reused=reused)

    def schedule(self, key: ChunkKey, data: bytes, epoch: Epoch, *, reused: bool = False) -> None:
        """Write ``data`` to tier2 in the background unless ``epoch`` is stale by then."""
        task = asyncio.get_running_loop().create_task(self._store(key, data, epoch, reused))
        self._pending[key] = (data, task)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _store(self, key: ChunkKey, data: bytes, epoch: Epoch, reused: bool) -> None:
        try:
            if epoch != self._epoch_of(key) or key in self.tier1:
                return
            share = None if self._share is None else self._share()
            await call(self.tier2, _put_within, self.tier2, key, data, share)
            if key in self.tier1:  # moved up while it was being written
                await call(self.tier2, self.tier2.delete, key)
            elif reused:
                self.tier2.touch(key)
        finally:
            entry = self._pending.get(key)
            if entry is not None and entry[1] is asyncio.current_task():
                del self._pending[key]

    def shrink(self) -> None:
        """tier1 grew without evicting: bring tier2 down to its share in the background."""
        if self._share is None:
            return
        share = self._share()
        if self.tier2.capacity_bytes > share:
            self._track(call(self.tier2, self.tier2.resize, share))  # type: ignore[attr-defined]

    def _track(self, work: Coroutine[object, object, object]) -> None:
        task = asyncio.get_running_loop().create_task(work)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def get(self, key: ChunkKey) -> bytes | None:
        """The bytes of a pending write of ``key``, if there is one."""
        entry = self._pending.get(key)
        return None if entry is None else entry[0]

    async def wait(self, key: ChunkKey) -> None:
        """Until the pending write of ``key`` (if any) is done."""
        entry = self._pending.get(key)
        if entry is not None:
            await asyncio.gather(entry[1], return_exceptions=True)

    def __contains__(self, key: object) -> bool:
        return key in self._pending

    def __len__(self) -> int:
        return len(self._pending)

    def keys(self, track_id: int) -> list[ChunkKey]:
        return [key for key in self._pending if key.track_id == track_id]

    def forget(self, track_id: int | None) -> None:
        """Drop pending bytes of ``track_id`` (None: all); their writes skip by epoch."""
        for key in [k for k in self._pending if track_id is None or k.track_id == track_id]:
            del self._pending[key]

    async def flush(self) -> None:
        """Wait until every scheduled write is done (or failed)."""
        while self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)

    async def write_down(self) -> int:
        """Move every chunk of tier1 down to tier2, oldest insert first (on shutdown: the
        disk tier survives a restart, tier1 does not); returns the chunks moved."""
        await self.flush()
        tier1, tier2 = self.tier1, self.tier2
        entries = [(key, tier1.peek(key)) for key in tier1.keys(None) if key not in tier2]
        entries = [(key, data) for key, data in entries if data is not None]
        if not entries:
            return 0
        stored = await call(tier2, _put_all, tier2, entries)
        for key in stored:  # type: ignore[union-attr]
            tier1.delete(key)
        return len(stored)  # type: ignore[arg-type]


def _put_within(tier: Tier, key: ChunkKey, data: bytes, capacity_bytes: int | None) -> bool:
    if capacity_bytes is not None:
        tier.resize(capacity_bytes)  # type: ignore[attr-defined]
    return tier.put(key, data)


def _put_all(tier: Tier, entries: list[tuple[ChunkKey, bytes]]) -> list[ChunkKey]:
    return [key for key, data in entries if tier.put(key, data)]
