"""/metrics of a server with a shared (Redis) tier: the link's up gauge follows a real
redis-server going away."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from tests.cache.redis_process import RedisProcess

from .live_app import first_track_id, tone_app_client


@pytest.fixture
async def redis_and_client(tmp_path) -> AsyncIterator[tuple[RedisProcess, httpx.AsyncClient]]:
    redis = RedisProcess(tmp_path).start()
    try:
        async for client in tone_app_client(tmp_path, redis_url=redis.url, redis_timeout_ms=300):
            yield redis, client
    finally:
        redis.stop()


async def samples(client: httpx.AsyncClient) -> dict[tuple[str, tuple], float]:
    text = (await client.get("/metrics")).text
    return {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(text) for s in family.samples
    }  # fmt: skip


async def test_shared_tier_up_follows_redis(redis_and_client) -> None:
    redis, client = redis_and_client
    track_id = await first_track_id(client)
    assert (await client.get(f"/api/tracks/{track_id}/chunks/0")).status_code == 200
    up = await samples(client)
    assert up[("masterstream_shared_tier_up", ())] == 1.0
    assert up[("masterstream_shared_tier_failures_total", ())] == 0.0
    assert ("masterstream_cache_size_bytes", (("tier", "shared"),)) in up
    redis.kill()
    down: dict = {}
    for _ in range(100):  # the breaker opens on failures, the event link drops by itself
        await client.get(f"/api/tracks/{track_id}/chunks/1", params={"preset": "warm"})
        down = await samples(client)
        if down[("masterstream_shared_tier_up", ())] == 0.0:
            break
        await asyncio.sleep(0.1)
    assert down[("masterstream_shared_tier_up", ())] == 0.0
