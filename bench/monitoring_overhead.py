"""Cost of the monitoring layer on the request path, and the accuracy of its percentiles.

1. ``EndpointMetrics.record`` with a full retained window of 1,000 and of 100,000
   records (each record also evicts one): the cost should not depend on the window.
2. ``EndpointMetrics.get_summary()`` (counters plus percentiles read from the sketches).
3. A handler wrapped by ``CacheAwareEndpoint.track_request`` that returns at once, next to
   awaiting the same handler bare (no monitor), i.e. the envelope + timing + record cost.
4. ``CacheMonitor.update_metrics()`` on a real ``ChunkCache`` holding 100, 2,000 and
   20,000 chunks.
5. A Prometheus scrape (``generate_latest`` of ``build_cache_registry(cache, monitor,
   metrics)``, what ``/metrics`` serves for the cache) at 2,000 and 20,000 chunks.
6. Percentile error of ``LogHistogram`` against numpy on 200,000 log-normal latencies.

Medians of per-call times (``perf_counter_ns``), in µs.

Run:  .venv/bin/python bench/monitoring_overhead.py [--iterations 20000] [--baseline FILE]
Writes bench/results/monitoring_overhead.{md,json}; ``--baseline`` (a JSON file an earlier
run wrote) adds a "before" column to the table.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

import numpy as np
from prometheus_client import generate_latest

from masterstream.cache import ChunkCache, DiskTier, MemoryTier, TrackCacheInfo
from masterstream.monitoring import (
    CacheAwareEndpoint,
    CacheMonitor,
    EndpointMetrics,
    LogHistogram,
    build_cache_registry,
)

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

    tracked = CacheAwareEndpoint(None).track_request(handler)
    bare, wrapped = [], []
    for _ in range(iterations):
        t0 = time.perf_counter_ns()
        await handler()
        bare.append(time.perf_counter_ns() - t0)
        t0 = time.perf_counter_ns()
        await tracked()
        wrapped.append(time.perf_counter_ns() - t0)
    return {"bare_handler_us": median_us(bare), "track_request_us": median_us(wrapped)}


class Resolver:
    def track_cache_info(self, track_id: int) -> TrackCacheInfo:
        return TrackCacheInfo(f"sig{track_id}", 100, 10.0)


async def filled_cache(directory: str, chunks: int) -> ChunkCache:
    """A real two-tier cache holding ``chunks`` chunks of 100 tracks in both tiers."""

    async def render(key, priority=None) -> bytes:
        return b"\0" * 1000

    cache = ChunkCache(MemoryTier(100_000_000), DiskTier(directory, 100_000_000, fsync=False),
                       resolver=Resolver(), render=render, pipeline_version="1")  # fmt: skip
    for i in range(chunks):
        await cache.put_chunk(1 + i // 100, i % 100, b"\0" * 1000)
    return cache


def timed_us(fn, repeats: int) -> float:
    samples = []
    for _ in range(repeats):
        t0 = time.perf_counter_ns()
        fn()
        samples.append(time.perf_counter_ns() - t0)
    return median_us(samples)


async def bench_cache_reads(chunks: int, iterations: int) -> dict[str, float]:
    """``update_metrics`` and one Prometheus scrape on a cache of ``chunks`` chunks."""
    with tempfile.TemporaryDirectory() as directory:
        cache = await filled_cache(directory, chunks)
        monitor = CacheMonitor(cache, max_history=100)
        metrics = EndpointMetrics()
        for i in range(1000):
            metrics.record("/api/chunk", SOURCES[i % 3], 1.0 + i % 7)
        registry = build_cache_registry(cache=cache, monitor=monitor, metrics=metrics)
        repeats = max(20, iterations // 200)
        out = {
            f"update_metrics_us_{chunks}_chunks": timed_us(monitor.update_metrics, repeats),
            f"scrape_us_{chunks}_chunks": timed_us(lambda: generate_latest(registry), repeats),
        }
        await cache.aclose()
    return out


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


ROWS = (
    ("record_us_window_1k", "`EndpointMetrics.record`, window 1,000"),
    ("record_us_window_100k", "`EndpointMetrics.record`, window 100,000"),
    ("get_summary_us_window_1k", "`EndpointMetrics.get_summary`, window 1,000"),
    ("bare_handler_us", "bare async handler"),
    ("track_request_us", "handler wrapped by `CacheAwareEndpoint.track_request` (no monitor)"),
    ("update_metrics_us_100_chunks", "`CacheMonitor.update_metrics`, 100 chunks"),
    ("update_metrics_us_2000_chunks", "`CacheMonitor.update_metrics`, 2,000 chunks"),
    ("update_metrics_us_20000_chunks", "`CacheMonitor.update_metrics`, 20,000 chunks"),
    ("scrape_us_2000_chunks", "Prometheus scrape of the cache registry, 2,000 chunks"),
    ("scrape_us_20000_chunks", "Prometheus scrape of the cache registry, 20,000 chunks"),
)


def git_commit() -> str | None:
    """The commit this run measured (``+dirty`` when the tree had changes), if in git."""

    def git(*args: str) -> str:
        return subprocess.run(("git", *args), capture_output=True, text=True, check=True).stdout

    try:
        commit = git("rev-parse", "--short", "HEAD").strip()
        dirty = git("status", "--porcelain", "--untracked-files=no").strip()
    except (OSError, subprocess.CalledProcessError):
        return None
    return commit + ("+dirty" if dirty else "")


def table(results: dict, baseline: dict | None) -> list[str]:
    if baseline is None:
        lines = ["| what | µs |", "|---|---|"]
        return lines + [f"| {label} | {results.get(key, '')} |" for key, label in ROWS]
    lines = ["| what | before, µs | now, µs |", "|---|---|---|"]
    return lines + [
        f"| {label} | {baseline.get(key, 'n/a')} | {results.get(key, '')} |" for key, label in ROWS
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--iterations", type=int, default=20_000)
    parser.add_argument("--baseline", type=Path, help="JSON of an earlier run to compare with")
    args = parser.parse_args()
    iterations = args.iterations
    results = {
        "record_us_window_1k": bench_record(1_000, iterations),
        "record_us_window_100k": bench_record(100_000, iterations),
        "get_summary_us_window_1k": bench_summary(iterations),
        **asyncio.run(bench_endpoint(iterations)),
    }
    for chunks in (100, 2_000, 20_000):
        results.update(asyncio.run(bench_cache_reads(chunks, iterations)))
    results["percentile_relative_error"] = percentile_error()
    results["iterations"] = iterations
    results["commit"] = git_commit()
    baseline = json.loads(args.baseline.read_text()) if args.baseline else None
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "monitoring_overhead.json").write_text(json.dumps(results, indent=2) + "\n")
    errors = results["percentile_relative_error"]
    command = "Run: `.venv/bin/python bench/monitoring_overhead.py"
    if baseline is not None:
        command += f" --baseline {args.baseline}"
    lines = [
        "# Monitoring overhead (medians, µs per call)",
        "",
        *table(results, baseline),
        "",
        "Percentile relative error vs numpy (200,000 log-normal values): "
        + ", ".join(f"{k} {v}" for k, v in errors.items()),
        "",
        command + "`",
    ]
    if baseline is not None:
        lines.append(
            f"Before: the baseline run (commit {baseline.get('commit', 'unknown')}); "
            f"now: this run (commit {results['commit']}), same machine, same session."
        )
    (RESULTS / "monitoring_overhead.md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
