"""The shared tier against a real redis-server: several ChunkCaches (one per simulated
server, each with its own memory tiers and SharedCluster) share one Redis."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable

import pytest
import redis

from masterstream.cache import ChunkCache, MemoryTier
from masterstream.cache.shared import frame, unframe
from masterstream.cache.shared_cluster import SharedCluster

from .fakes import FakeRender, FakeResolver, chunk_bytes
from .redis_process import RedisProcess

pytestmark = pytest.mark.timeout(60)
CHUNK_BYTES = 5000


@pytest.fixture(scope="module")
def redis_server(tmp_path_factory: pytest.TempPathFactory):
    process = RedisProcess(tmp_path_factory.mktemp("redis"), maxmemory_bytes=8_000_000).start()
    yield process
    process.stop()


@pytest.fixture
def sync_redis(redis_server: RedisProcess):
    client = redis.Redis.from_url(redis_server.url)
    client.flushall()
    yield client
    client.close()


Build = Callable[..., tuple[ChunkCache, FakeRender]]


@pytest.fixture
async def servers(redis_server: RedisProcess, sync_redis) -> AsyncIterator[Build]:
    built: list[tuple[ChunkCache, SharedCluster]] = []

    def build(name: str, *, render: FakeRender | None = None, **options: float):
        cluster = SharedCluster.from_url(redis_server.url, server_id=name, timeout_s=0.5,
                                         lock_ttl_s=0.6, **options)  # fmt: skip
        render = render or FakeRender(CHUNK_BYTES)
        cache = ChunkCache(MemoryTier(1_000_000), MemoryTier(1_000_000),
                           resolver=FakeResolver({1: 8, 2: 8}), render=render,
                           pipeline_version="1", shared=cluster)  # fmt: skip
        cluster.start()
        built.append((cache, cluster))
        return cache, render

    yield build
    for cache, cluster in built:
        await cache.aclose()
        await cluster.aclose()


async def until(predicate: Callable[[], bool], timeout_s: float = 5.0) -> None:
    deadline = asyncio.get_running_loop().time() + timeout_s
    while not predicate():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError("condition not reached in time")
        await asyncio.sleep(0.02)


def test_frame_round_trips_and_any_flipped_byte_is_refused() -> None:
    data = bytes(range(256)) * 4
    stored = frame(data)
    assert unframe(stored) == data
    for index in (0, 5, 20, len(stored) - 1):
        damaged = bytearray(stored)
        damaged[index] ^= 0x01
        assert unframe(bytes(damaged)) is None
    assert unframe(stored[:-1]) is None and unframe(b"") is None


async def test_a_chunk_rendered_on_one_server_is_a_shared_hit_on_another(servers) -> None:
    a, render_a = servers("a")
    b, render_b = servers("b")
    data, source = await a.get_or_render(1, 3, "warm", 0.5)
    assert source == "miss"
    again, source = await b.get_or_render(1, 3, "warm", 0.5)
    assert (again, source) == (data, "shared")
    assert await b.get_chunk(1, 3, "warm", 0.5) == (data, "tier1")
    assert (render_a.total_calls, render_b.total_calls) == (1, 0)
    stats = b.stats()
    assert stats.shared is not None and (stats.shared.hits, stats.shared.misses) == (1, 0)
    assert stats.overall.total_hits == 2 and stats.overall.total_misses == 0
    assert b.get_stats()["cluster"]["server_id"] == "b"


async def test_concurrent_cold_requests_over_three_servers_render_once(servers) -> None:
    caches = [servers(name, render=FakeRender(CHUNK_BYTES, delay_s=0.3)) for name in "abc"]
    results = await asyncio.gather(
        *(cache.get_or_render(2, 5, "warm", 0.5) for cache, _ in caches for _ in range(20))
    )
    expected = chunk_bytes(caches[0][0].make_key(2, 5, "warm", 0.5), CHUNK_BYTES)
    assert all(data == expected for data, _ in results)
    assert sum(render.total_calls for _, render in caches) == 1, [
        c.shared.status() for c, _ in caches
    ]
    assert sum(cache.stats().render.count for cache, _ in caches) == 1


async def test_a_corrupt_shared_entry_is_dropped_counted_and_never_served(
    servers, sync_redis
) -> None:
    a, _ = servers("a")
    b, render_b = servers("b")
    data, _ = await a.get_or_render(1, 1)
    name = a.shared.tier.entry_key(a.make_key(1, 1))
    stored = sync_redis.get(name)
    sync_redis.set(name, stored[:-10] + b"x" * 10)  # same length, wrong bytes
    again, source = await b.get_or_render(1, 1)
    assert (again, source) == (data, "miss") and render_b.total_calls == 1
    assert b.stats().shared.corrupt_reads == 1
    assert unframe(sync_redis.get(name)) == data  # b's render replaced the bad entry


async def test_clearing_a_track_on_one_server_clears_it_everywhere(servers, sync_redis) -> None:
    a, _ = servers("a")
    b, render_b = servers("b")
    await until(lambda: a.shared.events.connected and b.shared.events.connected)
    for chunk in range(3):
        await a.get_or_render(1, chunk)
        await b.get_or_render(1, chunk)
    await b.get_or_render(2, 0)
    assert len(b.tier1.keys(1)) == 3
    await a.clear_track(1)
    await until(lambda: not b.tier1.keys(1))
    assert b.tier1.keys(2) and not sync_redis.keys("ms:c:ck1:1:*")
    _, source = await b.get_or_render(1, 0)
    assert source == "miss" and render_b.total_calls == 2  # b rendered 1/0 again, plus 2/0
    await b.clear()
    await until(lambda: len(a.tier1) == 0)
    assert not sync_redis.keys("ms:c:*")


async def test_invalidations_missed_while_unsubscribed_are_replayed(servers) -> None:
    a, _ = servers("a")
    b, _ = servers("b")
    await until(lambda: b.shared.events.connected)
    await a.get_or_render(1, 0)
    await b.get_or_render(1, 0)
    await b.shared.events.aclose()  # b stops listening
    b.shared.events.connected = False
    await a.clear_track(1)
    assert b.tier1.keys(1)  # nobody told b yet
    b.shared.events.start()
    await until(lambda: not b.tier1.keys(1))


async def test_a_dead_lock_holder_is_taken_over_after_expiry(servers, sync_redis) -> None:
    b, render_b = servers("b")
    key = b.make_key(1, 6)
    sync_redis.set(b.shared.renders.lock_key(key), "token-of-a-dead-server", px=500)
    started = asyncio.get_running_loop().time()
    data, source = await b.get_or_render(1, 6)
    waited_s = asyncio.get_running_loop().time() - started
    assert source == "miss" and data == chunk_bytes(key, CHUNK_BYTES)
    assert render_b.total_calls == 1 and waited_s >= 0.3
    assert b.shared.renders.stats.takeovers == 1


async def test_the_shared_tier_stays_within_redis_maxmemory(servers, sync_redis) -> None:
    a, _ = servers("a", render=FakeRender(100_000))
    for chunk in range(8):
        for track in (1, 2):
            for preset in ("warm", "bright", "punchy", "loud", "soft"):
                await a.get_or_render(track, chunk, preset, 0.5)
    info = sync_redis.info("memory")
    assert info["maxmemory"] == 8_000_000
    assert info["used_memory"] <= info["maxmemory"]
    assert sync_redis.info("stats")["evicted_keys"] > 0  # 80 chunks of 100 kB did not fit
    await a.shared.tier.refresh()
    stats = a.stats().shared
    assert stats.capacity_bytes == 8_000_000 and 0 < stats.size_bytes <= 8_000_000
    assert stats.evictions > 0 and stats.policy == "redis:allkeys-lru"


async def test_redis_killed_then_restarted_costs_no_request_and_comes_back(tmp_path) -> None:
    redis_proc = RedisProcess(tmp_path).start()
    clusters = [SharedCluster.from_url(redis_proc.url, server_id=name, timeout_s=0.2,
                                       lock_ttl_s=0.6) for name in "ab"]  # fmt: skip
    renders = [FakeRender(CHUNK_BYTES), FakeRender(CHUNK_BYTES)]
    a, b = (ChunkCache(MemoryTier(1_000_000), MemoryTier(1_000_000),
                       resolver=FakeResolver({1: 8, 2: 8}), render=render,
                       pipeline_version="1", shared=cluster)
            for cluster, render in zip(clusters, renders, strict=True))  # fmt: skip
    for cluster in clusters:
        cluster.start()
    try:
        await until(lambda: all(c.events.connected for c in clusters))
        await a.get_or_render(1, 0)
        redis_proc.kill()
        for chunk in range(1, 8):  # every request answered, rendered locally
            data, source = await b.get_or_render(1, chunk)
            assert source == "miss" and data == chunk_bytes(b.make_key(1, chunk), CHUNK_BYTES)
        assert await a.clear_track(2) == 0  # queued for broadcast, not an error
        await until(lambda: not clusters[1].available)
        assert b.stats().shared.degraded and b.stats().shared.corrupt_reads == 0
        redis_proc.start()  # same port, empty
        await until(lambda: all(c.available for c in clusters), timeout_s=10)
        await a.get_or_render(2, 1)
        assert await b.get_or_render(2, 1) == (chunk_bytes(b.make_key(2, 1), CHUNK_BYTES),
                                               "shared")  # fmt: skip
        assert clusters[0].events.published >= 1  # the queued invalidation went out
    finally:
        for cache, cluster in zip((a, b), clusters, strict=True):
            await cache.aclose()
            await cluster.aclose()
        redis_proc.stop()
