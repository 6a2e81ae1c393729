"""Thread pool vs process pool for chunk renders: which runs our DSP faster on this machine?

Renders the same set of chunks (every preset, several demo tracks) through a
ThreadPoolExecutor and a ProcessPoolExecutor of the same size, after a warm-up that
compiles the numba kernels in every worker, and reports chunks/s (median of repeats).

    .venv/bin/python bench/bench_render_pool.py [--workers N] [--repeats R]
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from concurrent.futures import Executor, ProcessPoolExecutor, ThreadPoolExecutor
from pathlib import Path

from masterstream.audio.chunks import ChunkGeometry
from masterstream.audio.decode import read_all, read_info
from masterstream.audio.encode import encode
from masterstream.library.demo import DEMO_TRACKS, synthesize_demo_library
from masterstream.mastering import (
    PRESET_NAMES,
    MasteringPlan,
    compute_fingerprint,
    plan_mastering,
    render_chunk,
)

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
        "Reproduce: `.venv/bin/python bench/bench_render_pool.py`",
    ]  # fmt: skip
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text("\n".join(lines) + "\n")
    print(f"wrote {RESULTS}")


if __name__ == "__main__":
    main()
