"""Cost of the monitoring layer on the request path, and the accuracy of its percentiles.

1. ``EndpointMetrics.record`` with a full retained window of 1,000 and of 100,000
   records (each record also evicts one): the cost should not depend on the window.
2. ``EndpointMetrics.get_summary()`` (counters plus percentiles read from the sketches).
3. ``CacheAwareEndpoint.track_request`` around a handler that returns at once, next to
   awaiting the same handler bare (no monitor), i.e. the envelope + timing + record cost.
4. ``CacheMonitor.update_metrics()`` on a real ``ChunkCache`` holding 100 and 2,000
   chunks (``get_stats()`` walks the tiers' keys, so this one grows with the cache).
5. Percentile error of ``LogHistogram`` against numpy on 200,000 log-normal latencies.

Medians of per-call times (``perf_counter_ns``), in µs.

Run:  .venv/bin/python bench/monitoring_overhead.py [--iterations 20000]
Writes bench/results/monitoring_overhead.{md,json}.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import tempfile
import time
from pathlib import Path

import numpy as np

from masterstream.cache import ChunkCache, DiskTier, MemoryTier, TrackCacheInfo
from masterstream.monitoring import CacheAwareEndpoint, CacheMonitor, EndpointMetrics, LogHistogram

RESULTS = Path(__file__).resolve().parent / "results"
SOURCES = ("tier1", "tier2", "miss")


def median_us(samples_ns: list[int]) -> float:
    return round(statistics.median(samples_ns) / 1000.0, 3)


def bench_record(window: int, iterations: int) -> float:
    metrics = EndpointMetrics(max_history=window)
    rng = np.random.default_rng(0)
    times = rng.lognormal(0.0, 2.0, window + iterations).tolist()
    for i in range(window):
        metrics.record("/api/chunk", SOURCES[i % 3], times[i])
    samples = []
    for i in range(window, window + iterations):
        t0 = time.perf_counter_ns()
        metrics.record("/api/chunk", SOURCES[i % 3], times[i])
        samples.append(time.perf_counter_ns() - t0)
    return median_us(samples)


def bench_summary(iterations: int) -> float:
    metrics = EndpointMetrics(max_history=1000)
    for i, ms in enumerate(np.random.default_rng(1).lognormal(0.0, 2.0, 1000).tolist()):
        metrics.record("/api/chunk", SOURCES[i % 3], ms)
    samples = []
    for _ in range(iterations // 10):
        t0 = time.perf_counter_ns()
        metrics.get_summary()
        samples.append(time.perf_counter_ns() - t0)
    return median_us(samples)


async def bench_endpoint(iterations: int) -> dict[str, float]:
    async def handler() -> tuple[bytes, str]:
        return b"x", "tier1"

    endpoint = CacheAwareEndpoint(None)
    bare, wrapped = [], []
    for _ in range(iterations):
        t0 = time.perf_counter_ns()
        await handler()
        bare.append(time.perf_counter_ns() - t0)
        t0 = time.perf_counter_ns()
        await endpoint.track_request(handler)
        wrapped.append(time.perf_counter_ns() - t0)
    return {"bare_handler_us": median_us(bare), "track_request_us": median_us(wrapped)}


class Resolver:
    def track_cache_info(self, track_id: int) -> TrackCacheInfo:
        return TrackCacheInfo(f"sig{track_id}", 100, 10.0)


async def bench_monitor(chunks: int, iterations: int) -> float:
    async def render(key) -> bytes:
        return b"\0" * 1000

    with tempfile.TemporaryDirectory() as directory:
        cache = ChunkCache(MemoryTier(100_000_000), DiskTier(directory, 100_000_000, fsync=False),
                           resolver=Resolver(), render=render, pipeline_version="1",
                           warm=False)  # fmt: skip
        for i in range(chunks):
            await cache.get_or_render(1 + i // 100, i % 100)
        await cache.flush()
        monitor = CacheMonitor(cache, max_history=100)
        samples = []
        for _ in range(max(50, iterations // 100)):
            t0 = time.perf_counter_ns()
            monitor.update_metrics()
            samples.append(time.perf_counter_ns() - t0)
        await cache.aclose()
    return median_us(samples)


def percentile_error() -> dict[str, float]:
    data = np.random.default_rng(2).lognormal(0.0, 2.5, 200_000)
    hist = LogHistogram()
    for value in data.tolist():
        hist.add(value)
    errors = {}
    for q in (0.5, 0.95, 0.99, 0.999):
        exact = float(np.quantile(data, q, method="lower"))
        errors[f"p{q * 100:g}"] = round(abs(hist.quantile(q) - exact) / exact, 5)
    errors["documented_bound"] = hist.alpha
    errors["occupied_buckets"] = len(hist.buckets)
    return errors


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--iterations", type=int, default=20_000)
    iterations = parser.parse_args().iterations
    results = {
        "record_us_window_1k": bench_record(1_000, iterations),
        "record_us_window_100k": bench_record(100_000, iterations),
        "get_summary_us_window_1k": bench_summary(iterations),
        **asyncio.run(bench_endpoint(iterations)),
        "update_metrics_us_100_chunks": asyncio.run(bench_monitor(100, iterations)),
        "update_metrics_us_2000_chunks": asyncio.run(bench_monitor(2000, iterations)),
        "percentile_relative_error": percentile_error(),
        "iterations": iterations,
    }
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "monitoring_overhead.json").write_text(json.dumps(results, indent=2) + "\n")
    errors = results["percentile_relative_error"]
    lines = [
        "# Monitoring overhead (medians, µs per call)",
        "",
        "| what | µs |",
        "|---|---|",
        f"| `EndpointMetrics.record`, window 1,000 | {results['record_us_window_1k']} |",
        f"| `EndpointMetrics.record`, window 100,000 | {results['record_us_window_100k']} |",
        f"| `EndpointMetrics.get_summary`, window 1,000 | {results['get_summary_us_window_1k']} |",
        f"| bare async handler | {results['bare_handler_us']} |",
        f"| `CacheAwareEndpoint.track_request` (no monitor) | {results['track_request_us']} |",
        f"| `CacheMonitor.update_metrics`, 100 chunks | "
        f"{results['update_metrics_us_100_chunks']} |",
        f"| `CacheMonitor.update_metrics`, 2,000 chunks | "
        f"{results['update_metrics_us_2000_chunks']} |",
        "",
        "Percentile relative error vs numpy (200,000 log-normal values): "
        + ", ".join(f"{k} {v}" for k, v in errors.items()),
        "",
        "Run: `.venv/bin/python bench/monitoring_overhead.py`",
    ]
    (RESULTS / "monitoring_overhead.md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
