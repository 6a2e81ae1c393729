"""One render per key under load: N concurrent requests for one cold chunk.

The render is a stand-in for the mastering chain with the same shape: CPU-bound numpy
work (filtering 10 s of stereo float audio) in a thread pool, encoded to 16-bit PCM
bytes, never on the event loop. For each round a fresh chunk is requested once alone and
then by N concurrent ``get_or_render`` calls (``asyncio.gather``); the renders counted by
the cache must be 1 for the whole burst. Latency is wall time to the last response.

Run:  .venv/bin/python bench/cache_coalescing.py [--concurrency 100] [--rounds 10]
Writes bench/results/cache_coalescing.{md,json}.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np

from masterstream.cache import ChunkCache, ChunkKey, DiskTier, MemoryTier, TrackCacheInfo

RESULTS = Path(__file__).resolve().parent / "results"
SAMPLE_RATE = 44100


class Resolver:
    def track_cache_info(self, track_id: int) -> TrackCacheInfo:
        return TrackCacheInfo(f"sig{track_id}", 1000, 10.0)


class ThreadPoolRender:
    """CPU-bound stand-in render in a pool sized to the machine; counts its calls."""

    def __init__(self) -> None:
        self.pool = ThreadPoolExecutor()
        self.calls = 0

    async def __call__(self, key: ChunkKey) -> bytes:
        self.calls += 1
        return await asyncio.get_running_loop().run_in_executor(self.pool, self.render, key)

    @staticmethod
    def render(key: ChunkKey) -> bytes:
        rng = np.random.default_rng(key.chunk_index)
        audio = rng.standard_normal((10 * SAMPLE_RATE, 2)) * 0.1
        spectrum = np.fft.rfft(audio, axis=0)
        spectrum[: len(spectrum) // 50] *= 1.5  # a crude low shelf
        shaped = np.fft.irfft(spectrum, n=len(audio), axis=0)
        return (np.clip(shaped, -1, 1) * 32767).astype("<i2").tobytes()


async def measure(concurrency: int, rounds: int, directory: Path) -> dict[str, object]:
    render = ThreadPoolRender()
    cache = ChunkCache(
        MemoryTier(), DiskTier(directory), resolver=Resolver(), render=render,
        pipeline_version="1", warm=False,
    )  # fmt: skip
    single_ms, burst_ms, burst_renders = [], [], []
    await cache.get_or_render(2, 0)  # warm-up: pool threads, numpy, FFT plans
    for index in range(rounds):
        await cache.flush()  # no tier2 write of an earlier round overlaps a measurement
        started = time.perf_counter()
        await cache.get_or_render(1, 2 * index)
        single_ms.append((time.perf_counter() - started) * 1000)
        before = render.calls
        await cache.flush()
        started = time.perf_counter()
        results = await asyncio.gather(
            *(cache.get_or_render(1, 2 * index + 1) for _ in range(concurrency))
        )
        burst_ms.append((time.perf_counter() - started) * 1000)
        burst_renders.append(render.calls - before)
        if len({data for data, _ in results}) != 1:
            raise RuntimeError("waiters got different bytes")
    await cache.flush()
    stats = cache.get_stats()["render"]
    await cache.aclose()
    render.pool.shutdown()
    return {
        "concurrency": concurrency,
        "rounds": rounds,
        "renders_per_burst": burst_renders,
        "single_request_ms_median": round(statistics.median(single_ms), 2),
        "burst_ms_median": round(statistics.median(burst_ms), 2),
        "burst_over_single": round(statistics.median(burst_ms) / statistics.median(single_ms), 3),
        "coalesced_waiters": stats["coalesced_waiters"],
        "single_ms": [round(x, 2) for x in single_ms],
        "burst_ms": [round(x, 2) for x in burst_ms],
        "render_p50_ms": stats["p50_ms"],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--concurrency", type=int, default=100)
    parser.add_argument("--rounds", type=int, default=10)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="ms-coalesce-") as tmp:
        result = asyncio.run(measure(args.concurrency, args.rounds, Path(tmp)))
    text = "\n".join(
        [
            "| measure | value |",
            "|---|---:|",
            f"| renders per burst of {args.concurrency} (each round) | "
            f"{', '.join(map(str, result['renders_per_burst']))} |",
            f"| coalesced waiters (all rounds) | {result['coalesced_waiters']} |",
            f"| one cold request, median ms | {result['single_request_ms_median']} |",
            f"| {args.concurrency} concurrent cold requests, median ms to the last response | "
            f"{result['burst_ms_median']} |",
            f"| burst / single | {result['burst_over_single']} |",
        ]
    )
    print(text)
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "cache_coalescing.json").write_text(json.dumps(result, indent=2))
    (RESULTS / "cache_coalescing.md").write_text(
        "# One render per key: coalescing concurrent misses\n\n"
        f"Command: `.venv/bin/python bench/cache_coalescing.py --concurrency {args.concurrency} "
        f"--rounds {args.rounds}`\n\nStand-in CPU-bound render (FFT shelf over 10 s of stereo "
        "audio, 16-bit encode) in a thread pool; memory tier1 + disk tier2.\n\n" + text + "\n"
    )


if __name__ == "__main__":
    main()
