"""Exclusive tiers: a key in one tier at a time, demotion, move-up, shutdown write-down."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest

from masterstream.cache import ONDEMAND_NOW, ChunkCache, ChunkKey, DiskTier, MemoryTier
from masterstream.cache.memory import ENTRY_OVERHEAD_BYTES

from .fakes import CacheFactory, FakeRender, chunk_bytes

CHUNK_BYTES = 2000
TWO_CHUNKS = 2 * (CHUNK_BYTES + ENTRY_OVERHEAD_BYTES)


class GatedDiskTier(DiskTier):
    """A real DiskTier whose writes wait for ``gate`` (set by default)."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.gate = threading.Event()
        self.gate.set()
        self.writing = threading.Event()

    def put(self, key: ChunkKey, value: bytes) -> bool:
        self.writing.set()
        self.gate.wait(10)
        return super().put(key, value)


@pytest.fixture
async def build(tmp_path: Path) -> AsyncIterator[Callable[..., ChunkCache]]:
    caches = CacheFactory({1: 8, 2: 8})

    def factory(tier1_bytes: int = TWO_CHUNKS, tier2: DiskTier | None = None) -> ChunkCache:
        if tier2 is None:
            tier2 = GatedDiskTier(tmp_path / "tier2", 1_000_000, fsync=False)
        return caches(MemoryTier(tier1_bytes), tier2, FakeRender(CHUNK_BYTES))

    yield factory
    await caches.aclose()


def placed(cache: ChunkCache, keys: list[ChunkKey]) -> list[tuple[bool, bool]]:
    return [(key in cache.tier1, key in cache.tier2) for key in keys]


async def render_all(cache: ChunkCache, track_id: int, count: int) -> list[ChunkKey]:
    keys = [cache.make_key(track_id, i) for i in range(count)]
    for key in keys:
        await cache.fetch(key)
    await cache.flush()
    return keys


async def test_renders_go_to_tier1_and_its_victims_down_to_tier2(build) -> None:
    cache = build()
    keys = await render_all(cache, 1, 5)
    assert placed(cache, keys) == [(False, True)] * 3 + [(True, False)] * 2
    for key in keys[:3]:
        assert cache.tier2.peek(key) == chunk_bytes(key, CHUNK_BYTES)
    stats = cache.stats()
    assert stats.tier1.evictions == 3 and stats.tier2.inserts == 3
    assert stats.overall.total_chunks == 5


async def test_a_tier2_hit_moves_the_chunk_up_and_demotes_tier1s_oldest(build) -> None:
    cache = build()
    keys = await render_all(cache, 1, 3)  # keys[0] in tier2, keys[1:] in tier1
    assert await cache.get_chunk(1, 0) == (chunk_bytes(keys[0], CHUNK_BYTES), "tier2")
    await cache.flush()
    assert placed(cache, keys) == [(True, False), (False, True), (True, False)]
    assert (await cache.get_chunk(1, 0))[1] == "tier1"
    stats = cache.stats()
    assert (stats.tier2.hits, stats.tier1.hits, stats.overall.total_chunks) == (1, 1, 3)


async def test_the_warmers_fill_goes_to_tier2_and_its_look_ahead_moves_up(build) -> None:
    cache = build()
    fill, hot = cache.make_key(2, 5), cache.make_key(2, 6)
    for key in (fill, hot):
        await cache.prefetch(key, to_tier1=False, priority=ONDEMAND_NOW)
    await cache.flush()
    assert placed(cache, [fill, hot]) == [(False, True), (False, True)]
    await cache.prefetch(hot, to_tier1=True, priority=ONDEMAND_NOW)
    assert placed(cache, [fill, hot]) == [(False, True), (True, False)]
    assert cache.cached_in(hot, "tier2") and not cache.cached_in(fill, "tier1")


async def test_a_chunk_too_big_for_tier1_goes_to_tier2(build) -> None:
    cache = build(tier1_bytes=CHUNK_BYTES // 2)
    key = (await render_all(cache, 1, 1))[0]
    assert placed(cache, [key]) == [(False, True)]
    assert (await cache.get_chunk(1, 0))[1] == "tier2"
    assert placed(cache, [key]) == [(False, True)]  # tier1 refuses it: it stays


async def test_status_counts_each_chunk_once_wherever_it_is(build) -> None:
    cache = build()
    await render_all(cache, 1, 5)
    status = cache.track_status(1)
    assert status["cached_original"] == 5 and status["completion_percent"] == 62.5


async def test_shutdown_writes_tier1_down_so_tier2_has_it_after_a_restart(
    build, tmp_path: Path
) -> None:
    cache = build(tier2=DiskTier(tmp_path / "disk", 1_000_000, fsync=False))
    keys = await render_all(cache, 1, 4)
    assert sum(key in cache.tier2 for key in keys) == 2
    await cache.aclose()
    assert placed(cache, keys) == [(False, True)] * 4
    reopened = build(tier2=DiskTier(tmp_path / "disk", 1_000_000, fsync=False))
    for key in keys:
        assert await reopened.get_chunk(1, key.chunk_index) == (
            chunk_bytes(key, CHUNK_BYTES),
            "tier2",
        )


async def test_a_clear_before_a_demotion_is_written_leaves_nothing(build) -> None:
    cache = build()
    keys = await render_all(cache, 1, 2)
    cache.tier2.writing.clear()
    await cache.put_chunk(2, 0, b"x" * CHUNK_BYTES)  # evicts keys[0], schedules its write
    assert keys[0] in cache.tiers.writes and not cache.tier2.writing.is_set()
    assert await cache.clear_track(1) == 1  # keys[1], from tier1
    await cache.flush()
    assert cache.tier2.keys(1) == [] and cache.tier1.keys(1) == []
    assert cache.track_status(1)["cached_original"] == 0


async def test_a_clear_during_a_running_demotion_write_leaves_nothing(build) -> None:
    cache = build()
    tier2: GatedDiskTier = cache.tier2  # type: ignore[assignment]
    keys = await render_all(cache, 1, 2)
    tier2.gate.clear()
    tier2.writing.clear()
    await cache.fetch(cache.make_key(2, 0))  # evicts keys[0]: its write starts and waits
    await asyncio.to_thread(tier2.writing.wait, 5)
    asyncio.get_running_loop().call_later(0.05, tier2.gate.set)
    await cache.clear()
    await cache.flush()
    assert len(cache.tier1) == len(tier2) == 0
    assert not list(tier2.directory.glob("*.chunk"))
    assert placed(cache, keys) == [(False, False)] * 2


async def test_tier2_holds_what_tier1_leaves_free_and_gives_it_back(build) -> None:
    cache = build(tier1_bytes=TWO_CHUNKS + CHUNK_BYTES // 2)  # room for 2.5 chunks
    tier2_bytes = cache.tier2.capacity_bytes
    await render_all(cache, 1, 4)  # tier1 keeps 2 chunks; half a chunk of it is free
    assert cache.tier2.capacity_bytes == tier2_bytes + CHUNK_BYTES // 2
    await cache.put_chunk(2, 0, b"x" * (CHUNK_BYTES // 4))  # fits in tier1's free bytes
    await cache.flush()
    assert cache.stats().tier1.evictions == 2  # tier1 grew without evicting
    free_bytes = CHUNK_BYTES // 2 - (CHUNK_BYTES // 4 + ENTRY_OVERHEAD_BYTES)
    assert cache.tier2.capacity_bytes == tier2_bytes + free_bytes  # given back
