"""ChunkCache: lookups, one render per key, clearing, status and stats shape (where a chunk
lives, exclusive tiers: ``test_placement.py``)."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import pytest

from masterstream.cache import ChunkCache, DiskTier, MemoryTier
from masterstream.errors import ChunkOutOfRangeError, RenderError, TrackNotFoundError

from .fakes import CacheFactory, FailingRender, FakeRender, chunk_bytes

CHUNK_BYTES = 2000


@pytest.fixture
async def build(tmp_path: Path) -> AsyncIterator[Callable[..., ChunkCache]]:
    caches = CacheFactory({1: 6, 12: 6, 2: 3})

    def factory(render: FakeRender | None = None, **kwargs: Any) -> ChunkCache:
        tier1, tier2 = kwargs.pop("tier1", None), kwargs.pop("tier2", None)
        if tier1 is None:
            tier1 = MemoryTier(100_000)
        if tier2 is None:
            tier2 = DiskTier(tmp_path / "tier2", 1_000_000, fsync=False)
        return caches(tier1, tier2, render or FakeRender(CHUNK_BYTES), **kwargs)

    yield factory
    await caches.aclose()


async def test_miss_render_then_tier1_hit_returns_the_stored_object(build) -> None:
    render = FakeRender(CHUNK_BYTES)
    cache = build(render)
    assert await cache.get_chunk(1, 0, "warm", 0.5) == (None, "miss")
    data, source = await cache.get_or_render(1, 0, "warm", 0.5)
    assert source == "miss" and data == chunk_bytes(cache.make_key(1, 0, "warm", 0.5), CHUNK_BYTES)
    again, source = await cache.get_chunk(1, 0, "warm", 0.504)  # same quantised key
    assert source == "tier1" and again is data
    assert render.total_calls == 1


async def test_a_changed_signature_or_pipeline_never_hits_old_entries(build) -> None:
    cache = build()
    await cache.get_or_render(1, 0)
    cache.resolver.signatures[1] = "edited"
    assert await cache.get_chunk(1, 0) == (None, "miss")
    cache.resolver.signatures[1] = "sig1"
    cache.pipeline_version = "2"
    assert await cache.get_chunk(1, 0) == (None, "miss")


async def test_original_may_be_spelled_none_or_original(build) -> None:
    cache = build()
    data, _ = await cache.get_or_render(1, 0, "original", 0.3)
    assert await cache.get_chunk(1, 0) == (data, "tier1")
    assert cache.track_status(1, "original")["cached_original"] == 1
    assert cache.track_status(1, "original")["completion_percent"] == round(100 / 6, 1)


async def test_bad_requests_raise_the_documented_errors(build) -> None:
    cache = build()
    with pytest.raises(ChunkOutOfRangeError):
        await cache.get_chunk(1, 6)
    with pytest.raises(TrackNotFoundError):
        await cache.get_or_render(99, 0)


async def test_hundred_concurrent_misses_cause_one_render(build) -> None:
    render = FakeRender(CHUNK_BYTES, delay_s=0.02)
    cache = build(render)
    results = await asyncio.gather(*(cache.get_or_render(1, 3, "punchy", 0.7) for _ in range(100)))
    assert render.total_calls == 1
    assert len({data for data, _ in results}) == 1
    assert {source for _, source in results} <= {"miss", "tier1", "tier2"}
    stats = cache.get_stats()["render"]
    assert stats["count"] == 1
    assert stats["coalesced_waiters"] == sum(source == "miss" for _, source in results) - 1


async def test_a_failed_render_fails_every_waiter_and_caches_nothing(build) -> None:
    render = FailingRender()
    render.delay_s = 0.01
    cache = build(render)
    results = await asyncio.gather(
        *(cache.get_or_render(1, 1) for _ in range(100)), return_exceptions=True
    )
    assert all(isinstance(r, RenderError) for r in results)
    assert render.total_calls == 1
    assert len(cache.tier1) == 0 and len(cache.tier2) == 0
    assert cache.get_stats()["render"]["failures"] == 1
    render.fail_with = None
    data, source = await cache.get_or_render(1, 1)
    assert source == "miss" and data and render.total_calls == 2


async def test_cancelling_one_waiter_does_not_cancel_the_render(build) -> None:
    render = FakeRender(CHUNK_BYTES)
    render.gate = asyncio.Event()
    cache = build(render)
    waiters = [asyncio.ensure_future(cache.get_or_render(2, 0)) for _ in range(3)]
    await asyncio.wait_for(render.started.wait(), 5)
    waiters[0].cancel()
    render.gate.set()
    first = await asyncio.gather(*waiters, return_exceptions=True)
    assert isinstance(first[0], asyncio.CancelledError)
    assert first[1] == first[2] and first[1][1] == "miss"
    assert render.total_calls == 1
    assert (await cache.get_chunk(2, 0))[1] == "tier1"


async def test_a_render_outlives_all_its_waiters_and_is_cached(build) -> None:
    render = FakeRender(CHUNK_BYTES)
    render.gate = asyncio.Event()
    cache = build(render)
    waiter = asyncio.ensure_future(cache.get_or_render(2, 1))
    await asyncio.wait_for(render.started.wait(), 5)
    waiter.cancel()
    render.gate.set()
    for _ in range(100):
        if cache.get_stats()["render"]["count"]:
            break
        await asyncio.sleep(0.01)
    await cache.flush()
    assert (await cache.get_chunk(2, 1))[1] == "tier1"


async def populate(cache: ChunkCache) -> None:
    for track_id in (1, 12):
        for index in range(3):
            await cache.get_or_render(track_id, index)
            await cache.get_or_render(track_id, index, "warm", 0.5)
    await cache.flush()


async def test_clear_track_removes_exactly_that_track_in_every_tier(build) -> None:
    cache = build()
    await populate(cache)
    tier2: DiskTier = cache.tier2  # type: ignore[assignment]
    files_12 = [tier2.path_for(k) for k in tier2.keys(12)]
    files_1 = [tier2.path_for(k) for k in tier2.keys(1)]
    assert await cache.clear_track(1) == 6  # each chunk is in one tier
    assert cache.tier1.keys(1) == [] and tier2.keys(1) == []
    assert not any(p.exists() for p in files_1)
    assert len(cache.tier1.keys(12)) == 6 and all(p.exists() for p in files_12)
    assert (await cache.get_chunk(12, 2, "warm", 0.5))[1] == "tier1"
    assert (await cache.get_chunk(1, 2, "warm", 0.5))[1] == "miss"


async def test_clear_deletes_all_bytes(build) -> None:
    cache = build()
    await populate(cache)
    assert await cache.clear() == 12
    assert len(cache.tier1) == len(cache.tier2) == 0
    assert not list(cache.tier2.directory.glob("*.chunk"))  # type: ignore[attr-defined]
    assert cache.get_stats()["overall"]["total_chunks"] == 0


async def test_a_render_in_flight_during_clear_track_is_not_stored(build) -> None:
    render = FakeRender(CHUNK_BYTES)
    render.gate = asyncio.Event()
    cache = build(render)
    waiter = asyncio.ensure_future(cache.get_or_render(1, 4))
    await asyncio.wait_for(render.started.wait(), 5)
    await cache.clear_track(1)
    render.gate.set()
    data, source = await waiter
    await cache.flush()
    assert source == "miss" and data
    assert cache.tier1.keys(1) == [] and cache.tier2.keys(1) == []


async def test_a_degraded_tier2_still_serves_from_memory(build, tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    cache = build(tier2=DiskTier(blocker / "cache", 1_000_000))
    data, source = await cache.get_or_render(1, 0)
    await cache.flush()
    assert source == "miss" and (await cache.get_chunk(1, 0)) == (data, "tier1")
    stats = cache.get_stats()["tier2"]
    assert stats["degraded"] and stats["write_errors"] == 1 and stats["chunks"] == 0


async def test_track_status_counts_original_and_processed_chunks(build) -> None:
    render = FakeRender(CHUNK_BYTES)
    cache = build(render)
    for index in range(3):
        await cache.get_or_render(1, index)
    for index in range(6):
        await cache.get_or_render(1, index, "warm", 0.5)
    await cache.get_or_render(1, 0, "bright", 0.5)
    await cache.flush()
    status = cache.track_status(1, "warm", 0.5)
    mean_s = cache.render_stats.mean_s
    assert status == {
        "track_id": 1,
        "total_chunks": 6,
        "cached_original": 3,
        "cached_processed": 6,
        "completion_percent": 100.0,
        "fully_cached": True,
        "estimated_cache_time_seconds": 0.0,
    }
    original = cache.track_status(1)
    assert original["completion_percent"] == 50.0 and not original["fully_cached"]
    assert original["cached_processed"] == 6  # any mastered variant, chunk by chunk
    assert original["estimated_cache_time_seconds"] == pytest.approx(3 * mean_s, abs=1e-3)


async def test_stats_have_the_shape_the_monitor_reads(build) -> None:
    cache = build()
    await cache.get_or_render(1, 0)  # tier1 miss, tier2 miss
    await cache.get_chunk(1, 0)  # tier1 hit
    await cache.get_chunk(1, 0)  # tier1 hit
    await cache.flush()
    stats = cache.get_stats()
    assert set(stats) == {"tier1", "tier2", "overall", "tracks", "render", "warmer"}
    tier_fields = {
        "chunks", "size_mb", "size_bytes", "capacity_bytes", "hits", "misses", "hit_rate",
        "inserts", "evictions", "evicted_bytes", "corrupt_reads", "deletes", "write_errors",
    }  # fmt: skip
    for tier in ("tier1", "tier2"):
        assert tier_fields <= set(stats[tier])
    assert stats["tier1"]["hits"] == 2 and stats["tier1"]["misses"] == 1
    assert stats["tier1"]["hit_rate"] == round(2 / 3, 4)
    assert stats["tier2"]["misses"] == 1 and stats["tier2"]["hit_rate"] == 0.0
    overall = stats["overall"]
    assert {
        "total_chunks", "total_size_mb", "total_hits", "total_misses", "overall_hit_rate",
        "tracks_cached",
    } <= set(overall)  # fmt: skip
    assert (overall["total_hits"], overall["total_misses"], overall["requests"]) == (2, 1, 3)
    assert overall["overall_hit_rate"] == round(2 / 3, 4)
    assert overall["total_chunks"] == 1 and overall["tracks_cached"] == 1  # in tier1 only
    assert stats["tracks"][1]["cached_original"] == 1
    assert {"count", "failures", "avg_ms", "p50_ms", "p95_ms", "coalesced_waiters"} <= set(
        stats["render"]
    )


async def test_stats_report_each_track_on_its_last_requested_variant(build) -> None:
    cache = build()
    for index in range(3):
        await cache.get_or_render(2, index, "warm", 0.5)
    await cache.get_or_render(1, 0)
    tracks = cache.get_stats()["tracks"]
    assert tracks[2]["fully_cached"] and tracks[2]["cached_processed"] == 3
    assert tracks[1]["cached_original"] == 1 and tracks[1]["completion_percent"] == round(
        100 / 6, 1
    )
    assert cache.get_stats()["overall"]["tracks_cached"] == 2


class ThreadRecordingDiskTier(DiskTier):
    """A real DiskTier that records which thread each read and write ran on."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.threads: list[str] = []

    def get(self, key):  # type: ignore[no-untyped-def]
        self.threads.append(threading.current_thread().name)
        return super().get(key)

    def put(self, key, value):  # type: ignore[no-untyped-def]
        self.threads.append(threading.current_thread().name)
        return super().put(key, value)


class ThreadRecordingMemoryTier(MemoryTier):
    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.threads: list[str] = []

    def get(self, key):  # type: ignore[no-untyped-def]
        self.threads.append(threading.current_thread().name)
        return super().get(key)


async def test_disk_io_runs_off_the_loop_and_tier1_hits_on_it(build, tmp_path: Path) -> None:
    tier1 = ThreadRecordingMemoryTier(100_000)
    tier2 = ThreadRecordingDiskTier(tmp_path / "rec", 1_000_000, fsync=False)
    cache = build(tier1=tier1, tier2=tier2)
    await cache.get_or_render(1, 0)
    await cache.flush()
    await cache.get_chunk(1, 0)
    loop_thread = threading.current_thread().name
    assert tier2.threads and loop_thread not in tier2.threads
    assert set(tier1.threads) == {loop_thread}
