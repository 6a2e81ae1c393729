"""Latency of the cache's hit path: ``ChunkCache.get_chunk`` served by tier1 and by tier2,
next to a plain dict lookup and to reading the same bytes from a file.

The chunk is 10 s of 16-bit stereo 44.1 kHz WAV (1,764,044 bytes). Tier2 is a real
``DiskTier`` (fsync'd writes, CRC-32 verified reads through ``asyncio.to_thread``) in a
temporary directory; to measure tier2 hits, tier1 has zero capacity so nothing is
promoted. Each call is timed alone with ``perf_counter_ns``; medians and p99 in µs.

Run:  .venv/bin/python bench/cache_hit_path.py [--iterations 2000]
Writes bench/results/cache_hit_path.{md,json}.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import tempfile
import time
from pathlib import Path

from masterstream.cache import ChunkCache, DiskTier, MemoryTier, TrackCacheInfo

RESULTS = Path(__file__).resolve().parent / "results"
CHUNK_BYTES = 1_764_044


class Resolver:
    def track_cache_info(self, track_id: int) -> TrackCacheInfo:
        return TrackCacheInfo("bench-signature", 30, 10.0)


async def no_render(key) -> bytes:
    raise RuntimeError("the hit path must not render")


def summarise(samples_ns: list[int]) -> dict[str, float]:
    ordered = sorted(samples_ns)
    p99 = ordered[min(len(ordered) - 1, round(0.99 * (len(ordered) - 1)))]
    return {
        "median_us": round(statistics.median(ordered) / 1000, 2),
        "p99_us": round(p99 / 1000, 2),
        "n": len(ordered),
    }


async def time_async(call, iterations: int) -> list[int]:
    samples = []
    for _ in range(iterations):
        started = time.perf_counter_ns()
        await call()
        samples.append(time.perf_counter_ns() - started)
    return samples


def time_sync(call, iterations: int) -> list[int]:
    samples = []
    for _ in range(iterations):
        started = time.perf_counter_ns()
        call()
        samples.append(time.perf_counter_ns() - started)
    return samples


async def measure(iterations: int, directory: Path) -> dict[str, dict[str, float]]:
    payload = os.urandom(CHUNK_BYTES)
    hot = ChunkCache(
        MemoryTier(), DiskTier(directory / "hot"), resolver=Resolver(), render=no_render,
        pipeline_version="1", warm=False,
    )  # fmt: skip
    cold = ChunkCache(
        MemoryTier(0), DiskTier(directory / "cold"), resolver=Resolver(), render=no_render,
        pipeline_version="1", warm=False,
    )  # fmt: skip
    await hot.put_chunk(1, 0, payload, "warm", 0.5)
    await cold.put_chunk(1, 0, payload, "warm", 0.5)
    plain = {hot.make_key(1, 0, "warm", 0.5): payload}
    key = hot.make_key(1, 0, "warm", 0.5)
    raw_file = directory / "raw.bin"
    raw_file.write_bytes(payload)

    async def tier1() -> None:
        _, source = await hot.get_chunk(1, 0, "warm", 0.5)
        if source != "tier1":
            raise RuntimeError(source)

    async def tier2() -> None:
        _, source = await cold.get_chunk(1, 0, "warm", 0.5)
        if source != "tier2":
            raise RuntimeError(source)

    async def file_in_thread() -> None:
        await asyncio.to_thread(raw_file.read_bytes)

    rows = {
        "dict lookup (anchor)": summarise(time_sync(lambda: plain[key], iterations)),
        "get_chunk, tier1 hit": summarise(await time_async(tier1, iterations)),
        "file read_bytes, sync (anchor)": summarise(time_sync(raw_file.read_bytes, iterations)),
        "file read_bytes via to_thread (anchor)": summarise(
            await time_async(file_in_thread, iterations)
        ),
        "get_chunk, tier2 hit (verified read)": summarise(await time_async(tier2, iterations)),
    }
    await hot.aclose()
    await cold.aclose()
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--iterations", type=int, default=2000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="ms-hitpath-") as tmp:
        rows = asyncio.run(measure(args.iterations, Path(tmp)))
    lines = ["| path | median µs | p99 µs |", "|---|---:|---:|"]
    lines += [f"| {name} | {r['median_us']:.2f} | {r['p99_us']:.2f} |" for name, r in rows.items()]
    text = "\n".join(lines)
    print(text)
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "cache_hit_path.json").write_text(
        json.dumps(
            {"chunk_bytes": CHUNK_BYTES, "iterations": args.iterations, "rows": rows}, indent=2
        )
    )
    (RESULTS / "cache_hit_path.md").write_text(
        "# Cache hit-path latency\n\n"
        f"Command: `.venv/bin/python bench/cache_hit_path.py --iterations {args.iterations}`\n\n"
        f"One {CHUNK_BYTES:,}-byte chunk (10 s of 16-bit stereo 44.1 kHz WAV), each call timed "
        f"alone, {args.iterations} calls per row; the file anchors read the same bytes from the "
        "page cache.\n\n" + text + "\n"
    )


if __name__ == "__main__":
    main()
