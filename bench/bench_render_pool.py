"""Thread pool vs process pool for chunk renders: which runs our DSP faster on this machine?

1. Throughput: the same set of chunks (every preset, several demo tracks) through a
   ThreadPoolExecutor and a ProcessPoolExecutor of the same size, after a warm-up that
   compiles the numba kernels in every worker; chunks/s, median of repeats.
2. The server's view: a real Engine with each pool kind renders continuously while the
   event loop times tier1 hits (the GIL is what threads could cost the hit path).

    .venv/bin/python bench/bench_render_pool.py [--workers N] [--repeats R]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import tempfile
import time
from concurrent.futures import Executor, ProcessPoolExecutor, ThreadPoolExecutor
from pathlib import Path

from masterstream.audio.chunks import ChunkGeometry
from masterstream.audio.decode import read_all, read_info
from masterstream.audio.encode import encode
from masterstream.config import Settings
from masterstream.library.demo import synthesize_demo_library
from masterstream.mastering import (
    PRESET_NAMES,
    MasteringPlan,
    compute_fingerprint,
    plan_mastering,
    render_chunk,
)
from masterstream.service.engine import Engine

RESULTS = Path(__file__).parent / "results" / "render_pool.md"


def render_job(path: str, frames: int, sample_rate: int, chunk: int, plan: dict) -> int:
    """One chunk, as the server renders it (decode window, master, encode)."""
    geometry = ChunkGeometry(frames, sample_rate)
    audio = render_chunk(path, geometry, chunk, MasteringPlan.from_dict(plan), 1.0)
    return len(encode(audio, sample_rate, "wav", dither_seed=chunk))


def make_jobs(library: Path, tracks: int) -> list[tuple]:
    jobs = []
    for path in sorted(library.glob("*.flac"))[:tracks]:
        audio, rate = read_all(path)
        fingerprint = compute_fingerprint(audio, rate)
        info = read_info(path)
        count = ChunkGeometry(info.frames, rate).chunk_count
        for preset in PRESET_NAMES:
            plan = plan_mastering(preset, fingerprint, audio, rate).to_dict()
            jobs += [(str(path), info.frames, rate, k, plan) for k in range(min(count, 3))]
    return jobs


def run(executor: Executor, jobs: list[tuple]) -> float:
    start = time.perf_counter()
    list(executor.map(render_job, *zip(*jobs, strict=True)))
    return len(jobs) / (time.perf_counter() - start)


async def hits_under_load(library: Path, data_dir: Path, pool: str, seconds: float) -> dict:
    """Tier1-hit latency on the event loop while two streams render continuously."""
    settings = Settings(data_dir=data_dir, library_dir=library, render_pool=pool)
    engine = await Engine.open(settings)
    try:
        hot, *others = engine.library.records()
        await engine.cache.get_or_render(hot.id, 0, "warm")
        for record in others[:2]:
            await engine.cache.get_or_render(record.id, 0, "punchy")  # plans first
        done = asyncio.Event()

        async def render_load() -> None:
            k = 1
            while not done.is_set():
                await asyncio.gather(*(
                    engine.cache.get_or_render(r.id, k % engine.library.geometry(r).chunk_count,
                                               "punchy", 0.5 + (k % 50) / 100)
                    for r in others[:2]
                ))  # fmt: skip
                k += 1

        load = asyncio.create_task(render_load())
        latencies_ms, renders_before = [], engine.cache.render_stats.count
        end = time.perf_counter() + seconds
        while time.perf_counter() < end:
            start = time.perf_counter()
            await engine.cache.get_chunk(hot.id, 0, "warm")
            latencies_ms.append((time.perf_counter() - start) * 1000)
            await asyncio.sleep(0.002)
        done.set()
        await load
        latencies_ms.sort()
        return {
            "p50_ms": latencies_ms[len(latencies_ms) // 2],
            "p99_ms": latencies_ms[int(len(latencies_ms) * 0.99)],
            "renders_per_s": (engine.cache.render_stats.count - renders_before) / seconds,
        }
    finally:
        await engine.aclose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--tracks", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        library = Path(tmp)
        synthesize_demo_library(library, duration_scale=0.25)
        jobs = make_jobs(library, args.tracks)
        results = {}
        for name, factory in (("threads", ThreadPoolExecutor), ("processes", ProcessPoolExecutor)):
            with factory(args.workers) as executor:
                run(executor, jobs[: args.workers * 2])  # warm-up: imports and numba compiles
                rates = [run(executor, jobs) for _ in range(args.repeats)]
            results[name] = statistics.median(rates)
            print(f"{name:10s} {results[name]:6.1f} chunks/s (runs: "
                  f"{', '.join(f'{r:.1f}' for r in rates)})")  # fmt: skip
        under_load = {
            pool: asyncio.run(hits_under_load(library, Path(tmp) / f"data-{pool}", pool, 8.0))
            for pool in ("thread", "process")
        }
        for pool, row in under_load.items():
            print(
                f"{pool:10s} tier1 hit under render load: p50 {row['p50_ms']:.3f} ms, "
                f"p99 {row['p99_ms']:.3f} ms, {row['renders_per_s']:.1f} renders/s"
            )
    serial_ms = 1000 * args.workers / results["threads"]
    lines = [
        "# Render pool: threads vs processes",
        "",
        f"{len(jobs)} chunk renders (10 s chunks, every preset, {args.tracks} demo tracks), "
        f"{args.workers} workers, median of {args.repeats} runs, on {os.cpu_count()} cores.",
        "",
        "| pool | chunks/s | ratio to threads |",
        "|---|---:|---:|",
        *(f"| {name} | {rate:.1f} | {rate / results['threads']:.2f} |"
          for name, rate in results.items()),
        "",
        f"≈ {serial_ms:.0f} ms of wall time per chunk per worker with threads.",
        "",
        "Tier1-hit latency on the event loop of a real Engine while two streams render"
        " continuously (8 s):",
        "",
        "| pool | hit p50 ms | hit p99 ms | renders/s |",
        "|---|---:|---:|---:|",
        *(f"| {pool} | {row['p50_ms']:.3f} | {row['p99_ms']:.3f} | {row['renders_per_s']:.1f} |"
          for pool, row in under_load.items()),
        "",
        "Reproduce: `.venv/bin/python bench/bench_render_pool.py`",
    ]  # fmt: skip
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text("\n".join(lines) + "\n")
    print(f"wrote {RESULTS}")


if __name__ == "__main__":
    main()
