"""Test doubles for the cache's two outside protocols, and a simulated clock.

The render is deterministic (bytes derived from the key), counts its calls and can be
told to wait (on an event or on the simulated clock) or to fail.
"""

from __future__ import annotations

import asyncio
import hashlib
import heapq
import itertools
from collections import Counter

from masterstream.cache import ChunkKey, TrackCacheInfo
from masterstream.errors import RenderError, TrackNotFoundError


def chunk_bytes(key: ChunkKey, size_bytes: int = 1000) -> bytes:
    """Deterministic bytes for a key: a digest of its text form, repeated."""
    seed = hashlib.sha256(key.to_str().encode()).digest()
    return (seed * (size_bytes // len(seed) + 1))[:size_bytes]


def make_key(track_id: int = 1, chunk_index: int = 0, **overrides: object) -> ChunkKey:
    fields: dict[str, object] = {
        "track_id": track_id,
        "signature": f"sig{track_id}",
        "pipeline_version": "1",
        "preset": "warm",
        "intensity": 0.5,
        "chunk_index": chunk_index,
        "fmt": "wav",
    }
    fields.update(overrides)
    return ChunkKey(**fields)  # type: ignore[arg-type]


class FakeResolver:
    """Tracks ``1..n`` with ``chunk_count`` chunks of ``chunk_duration_s`` each."""

    def __init__(self, tracks: dict[int, int], chunk_duration_s: float = 10.0) -> None:
        self.tracks = dict(tracks)
        self.chunk_duration_s = chunk_duration_s
        self.signatures = {track_id: f"sig{track_id}" for track_id in tracks}

    def track_cache_info(self, track_id: int) -> TrackCacheInfo:
        if track_id not in self.tracks:
            raise TrackNotFoundError(track_id)
        return TrackCacheInfo(
            self.signatures[track_id], self.tracks[track_id], self.chunk_duration_s
        )


class FakeRender:
    """An async render: ``size_bytes`` of key-derived bytes; optional gate, delay, failure."""

    def __init__(self, size_bytes: int = 1000, *, sleep=None, delay_s: float = 0.0) -> None:
        self.size_bytes = size_bytes
        self.sleep = sleep or asyncio.sleep
        self.delay_s = delay_s
        self.calls: Counter[ChunkKey] = Counter()
        self.gate: asyncio.Event | None = None
        self.fail_with: Exception | None = None
        self.started = asyncio.Event()

    @property
    def total_calls(self) -> int:
        return sum(self.calls.values())

    async def __call__(self, key: ChunkKey) -> bytes:
        self.calls[key] += 1
        self.started.set()
        if self.gate is not None:
            await self.gate.wait()
        if self.delay_s:
            await self.sleep(self.delay_s)
        if self.fail_with is not None:
            raise self.fail_with
        return chunk_bytes(key, self.size_bytes)


class FailingRender(FakeRender):
    def __init__(self) -> None:
        super().__init__()
        self.fail_with = RenderError("the mastering chain exploded")


class SimClock:
    """A simulated monotonic clock: ``sleep`` waits until ``advance`` passes its deadline."""

    def __init__(self) -> None:
        self.now_s = 0.0
        self._sleepers: list[tuple[float, int, asyncio.Future[None]]] = []
        self._order = itertools.count()

    def __call__(self) -> float:
        return self.now_s

    async def sleep(self, delay_s: float) -> None:
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        heapq.heappush(self._sleepers, (self.now_s + delay_s, next(self._order), future))
        await future

    async def settle(self, rounds: int = 50) -> None:
        """Let every task run until it blocks (no threads involved in these tests)."""
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
