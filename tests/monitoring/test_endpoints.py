"""CacheAwareEndpoint, CacheQueryBuilder and create_cache_aware_handler with small doubles."""

from __future__ import annotations

import logging
from typing import Any

import pytest

from masterstream.errors import MonitoringError
from masterstream.monitoring import (
    CacheAwareEndpoint,
    CacheAwareResponse,
    CacheQueryBuilder,
    EndpointMetrics,
    create_cache_aware_handler,
)


class StepTimer:
    """A monotonic timer that advances ``step_s`` on every read."""

    def __init__(self, step_s: float) -> None:
        self.now_s, self.step_s = 100.0, step_s

    def __call__(self) -> float:
        self.now_s += self.step_s
        return self.now_s


class SyncMonitor:
    def __init__(self) -> None:
        self.updates = 0

    def update_metrics(self) -> None:
        self.updates += 1


class AsyncMonitor(SyncMonitor):
    async def update_metrics(self) -> None:  # type: ignore[override]
        self.updates += 1


class ChunkStore:
    """A cache double with the real cache's ``get_chunk``/``put_chunk`` signatures."""

    def __init__(self, stored: dict[tuple, tuple[bytes, str]] | None = None) -> None:
        self.stored = dict(stored or {})
        self.gets: list[tuple] = []
        self.puts: list[tuple] = []

    async def get_chunk(self, track_id, chunk_idx, preset=None, intensity=1.0, fmt="wav"):
        self.gets.append((track_id, chunk_idx, preset, intensity))
        return self.stored.get((track_id, chunk_idx, preset, intensity), (None, "miss"))

    async def put_chunk(self, track_id, chunk_idx, data, preset=None, intensity=1.0, fmt="wav"):
        self.puts.append((track_id, chunk_idx, data, preset, intensity))
        self.stored[(track_id, chunk_idx, preset, intensity)] = (data, "tier1")


@pytest.mark.parametrize(("source", "hit"), [("tier1", True), ("tier2", True), ("miss", False)])
async def test_envelope_times_the_handler_and_records_it(source: str, hit: bool) -> None:
    metrics = EndpointMetrics()
    endpoint = CacheAwareEndpoint(None, metrics=metrics, endpoint="/api/chunk",
                                  timer=StepTimer(0.0025))  # fmt: skip

    async def handler(track_id: int) -> tuple[Any, str]:
        return {"track_id": track_id}, source

    envelope = await endpoint.track_request(handler)(12)
    assert envelope["data"] == {"track_id": 12}
    assert (envelope["cache_source"], envelope["cache_hit"]) == (source, hit)
    assert envelope["processing_time_ms"] == pytest.approx(2.5)
    assert envelope["status"] == "success" and envelope["message"]
    CacheAwareResponse[dict[str, int]](**envelope)  # the envelope validates
    assert metrics.get_endpoint_stats()["/api/chunk"]["total_requests"] == 1
    assert metrics.summary["cache_hits"] == int(hit)


@pytest.mark.parametrize("monitor_cls", [SyncMonitor, AsyncMonitor])
async def test_monitor_is_updated_and_awaited_when_async(monitor_cls) -> None:
    monitor = monitor_cls()
    endpoint = CacheAwareEndpoint(None, monitor=monitor)

    async def handler() -> tuple[bytes, str]:
        return b"x", "tier2"

    wrapped = endpoint.track_request(handler)
    await wrapped()
    await wrapped()
    assert monitor.updates == 2
    assert endpoint.metrics.summary["tier2_hits"] == 2  # own EndpointMetrics when none given


async def test_sync_handlers_work_too() -> None:
    endpoint = CacheAwareEndpoint(None)
    envelope = await endpoint.track_request(lambda: (b"abc", "tier1"))()
    assert envelope["data"] == b"abc" and envelope["cache_hit"] is True


async def test_exceptions_propagate_unchanged_after_being_recorded() -> None:
    metrics, monitor = EndpointMetrics(), SyncMonitor()
    endpoint = CacheAwareEndpoint(None, monitor, metrics, timer=StepTimer(0.001))
    boom = LookupError("render failed")

    async def handler() -> tuple[bytes, str]:
        raise boom

    with pytest.raises(LookupError) as caught:
        await endpoint.track_request(handler)()
    assert caught.value is boom
    summary = metrics.get_summary()
    assert (summary["errors"], summary["cache_hits"], summary["cache_misses"]) == (1, 0, 0)
    assert metrics.metrics[-1].processing_time_ms == pytest.approx(1.0)


async def test_an_unknown_source_from_a_handler_is_an_error() -> None:
    endpoint = CacheAwareEndpoint(None)
    with pytest.raises(MonitoringError, match="unknown cache source 'redis'"):
        await endpoint.track_request(lambda: (b"x", "redis"))()
    assert endpoint.metrics.summary["errors"] == 1


async def test_a_failing_monitor_does_not_fail_the_request(caplog) -> None:
    class Broken:
        def update_metrics(self) -> None:
            raise RuntimeError("stats unavailable")

    endpoint = CacheAwareEndpoint(None, monitor=Broken())
    with caplog.at_level(logging.ERROR, logger="masterstream.monitoring"):
        envelope = await endpoint.track_request(lambda: (1, "tier1"))()
    assert envelope["data"] == 1 and "cache monitor update failed" in caplog.text


async def test_query_builder_hit_never_calls_the_handler() -> None:
    store = ChunkStore({(1, 0, "adaptive", 0.5): (b"cached", "tier2")})

    async def handler(*_args) -> bytes:
        raise AssertionError("handler called on a hit")

    builder = CacheQueryBuilder(store, handler)
    result = await builder.get_with_cache("chunk_1_0", 1, 0, preset="adaptive", intensity=0.5)
    assert result == (b"cached", "tier2")
    assert store.gets == [(1, 0, "adaptive", 0.5)] and store.puts == []


async def test_query_builder_miss_calls_the_handler_and_stores_the_bytes() -> None:
    store, calls = ChunkStore(), []

    async def render(cache_key, track_id, chunk_idx) -> bytes:
        calls.append((cache_key, track_id, chunk_idx))
        return b"rendered"

    builder = CacheQueryBuilder(store, render)
    assert await builder.get_with_cache("k", 3, 4, "warm", 0.7) == (b"rendered", "miss")
    assert calls == [("k", 3, 4)]
    assert store.puts == [(3, 4, b"rendered", "warm", 0.7)]
    assert await builder.get_with_cache("k", 3, 4, "warm", 0.7) == (b"rendered", "tier1")
    assert len(calls) == 1


async def test_query_builder_does_not_store_non_bytes_or_when_told_not_to() -> None:
    store = ChunkStore()
    rows = CacheQueryBuilder(store, lambda *_: {"title": "Song"})  # a sync database handler
    assert await rows.get_with_cache("k", 1, 0) == ({"title": "Song"}, "miss")
    no_store = CacheQueryBuilder(store, lambda *_: b"x", store_misses=False)
    await no_store.get_with_cache("k", 1, 1)
    assert store.puts == []


async def test_handler_factory_argument_order_and_error_recording() -> None:
    metrics = EndpointMetrics()

    async def get_chunk(track_id: int, chunk_idx: int) -> tuple[Any, str]:
        if chunk_idx < 0:
            raise ValueError("negative chunk")
        return [track_id, chunk_idx], "tier1"

    wrapped = create_cache_aware_handler(object(), get_chunk, metrics)
    envelope = await wrapped(5, chunk_idx=2)
    assert envelope["data"] == [5, 2] and envelope["cache_source"] == "tier1"
    assert wrapped.__name__ == "get_chunk"
    with pytest.raises(ValueError, match="negative chunk"):
        await wrapped(5, -1)
    per_endpoint = metrics.get_endpoint_stats()["get_chunk"]
    assert (per_endpoint["total_requests"], per_endpoint["errors"]) == (2, 1)
    named = create_cache_aware_handler(None, get_chunk, metrics, endpoint="/api/chunk")
    await named(1, 1)
    assert "/api/chunk" in metrics.get_endpoint_stats()
