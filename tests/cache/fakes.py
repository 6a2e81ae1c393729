"""Test doubles for the cache's two outside protocols (the clock is :mod:`tests.clock`).

The render is deterministic (bytes derived from the key), counts its calls and can be
told to wait (on an event or on the simulated clock) or to fail.
"""

from __future__ import annotations

import asyncio
import hashlib
from collections import Counter
from typing import Any

from masterstream.cache import ONDEMAND_NOW, ChunkCache, ChunkKey, Priority, Tier, TrackCacheInfo
from masterstream.errors import RenderError, TrackNotFoundError
from tests.clock import FakeClock as SimClock  # noqa: F401  (re-exported: the warmer tests' name)


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
        self.priorities: dict[ChunkKey, Priority] = {}
        self.promotions: list[tuple[ChunkKey, Priority]] = []
        self.gate: asyncio.Event | None = None
        self.fail_with: Exception | None = None
        self.started = asyncio.Event()

    @property
    def total_calls(self) -> int:
        return sum(self.calls.values())

    def promote(self, key: ChunkKey, priority: Priority) -> None:
        self.promotions.append((key, priority))

    async def __call__(self, key: ChunkKey, priority: Priority = ONDEMAND_NOW) -> bytes:
        self.calls[key] += 1
        self.priorities[key] = priority
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


class CacheFactory:
    """Builds ChunkCaches over fake tracks (``{track_id: chunk_count}``) and closes them."""

    def __init__(self, tracks: dict[int, int]) -> None:
        self.tracks = tracks
        self.caches: list[ChunkCache] = []

    def __call__(self, tier1: Tier, tier2: Tier, render: FakeRender, **kwargs: Any) -> ChunkCache:
        cache = ChunkCache(tier1, tier2, resolver=FakeResolver(self.tracks), render=render,
                           pipeline_version="1", **kwargs)  # fmt: skip
        self.caches.append(cache)
        return cache

    async def aclose(self) -> None:
        for cache in self.caches:
            await cache.aclose()
