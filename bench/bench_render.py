"""Mastering-engine speed: chunk renders, fingerprint, per-track plan, vs matchering.

Runs on one core (CPU affinity and thread pools pinned before numpy loads) at 44.1 kHz
stereo on a synthesised 4-minute track, reports medians over repeats, and masters the
same track with the ``matchering`` package (bench-only extra) in the same run for a
ratio. Prints a table and writes it to ``bench/results/render.md``.

    .venv/bin/python bench/bench_render.py [--repeats N] [--matchering-repeats N]
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMBA_NUM_THREADS"):
    os.environ[_var] = "1"

import argparse  # noqa: E402
import platform  # noqa: E402
import statistics  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from collections.abc import Callable  # noqa: E402
from datetime import UTC, datetime  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402
import soundfile as sf  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))  # the test material synthesiser lives in tests/mastering

from tests.mastering.material import make_track  # noqa: E402

from masterstream.audio.chunks import ChunkGeometry  # noqa: E402
from masterstream.audio.decode import read_all  # noqa: E402
from masterstream.mastering import (  # noqa: E402
    PRESET_NAMES,
    compute_fingerprint,
    plan_mastering,
    render_chunk,
    render_track,
)

SAMPLE_RATE = 44100
TRACK_S = 240.0
CHUNK_INDEX = 5  # a middle chunk: full pre-roll and post-roll
RESULTS = REPO / "bench" / "results" / "render.md"
COMMAND = ".venv/bin/python bench/bench_render.py"


def median_ms(fn: Callable[[], object], repeats: int) -> tuple[float, float]:
    """(median, minimum) wall time of ``fn`` in ms over ``repeats`` calls."""
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000.0)
    return statistics.median(times), min(times)


def run_matchering(target: Path, reference: Path, out_dir: Path, repeats: int) -> str:
    try:
        import matchering
    except ImportError as exc:
        return f"not run: matchering is not installed ({exc}); `.venv/bin/pip install matchering`"
    out = out_dir / "matchering.wav"

    def master() -> None:
        matchering.process(target=str(target), reference=str(reference),
                           results=[matchering.pcm16(str(out))])  # fmt: skip

    try:
        master()  # warm-up (imports, caches)
        ms, _ = median_ms(master, repeats)
    except Exception as exc:  # report why, do not hide it
        return f"not run: matchering failed ({type(exc).__name__}: {exc})"
    return f"{ms:.0f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=15, help="repeats per chunk render")
    parser.add_argument("--slow-repeats", type=int, default=3, help="repeats per track-level op")
    parser.add_argument("--matchering-repeats", type=int, default=3)
    args = parser.parse_args()
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})

    with tempfile.TemporaryDirectory() as tmp:
        tmp_dir = Path(tmp)
        target = tmp_dir / "target.wav"
        reference = tmp_dir / "reference.wav"
        sf.write(target, make_track("music", SAMPLE_RATE, TRACK_S, seed=11), SAMPLE_RATE,
                 subtype="PCM_16")  # fmt: skip
        sf.write(reference, make_track("thin", SAMPLE_RATE, 60.0, seed=5), SAMPLE_RATE,
                 subtype="PCM_16")  # fmt: skip
        audio, sr = read_all(target)
        geometry = ChunkGeometry(audio.shape[0], sr)
        window = geometry.render_window(CHUNK_INDEX)

        load_before = os.getloadavg()[0]
        compute_fingerprint(audio[: 10 * sr], sr)  # JIT warm-up
        fingerprint_ms = median_ms(lambda: compute_fingerprint(audio, sr), args.slow_repeats)
        fingerprint = compute_fingerprint(audio, sr)

        rows = []
        for preset in PRESET_NAMES:
            plan_ms = median_ms(
                lambda p=preset: plan_mastering(p, fingerprint, audio, sr), args.slow_repeats
            )
            plan = plan_mastering(preset, fingerprint, audio, sr)
            render_chunk(target, geometry, CHUNK_INDEX, plan, 1.0)  # warm-up
            chunk_ms = median_ms(
                lambda p=plan: render_chunk(target, geometry, CHUNK_INDEX, p, 1.0), args.repeats
            )
            track_ms = median_ms(lambda p=plan: render_track(audio, sr, p, 1.0), 1)
            rows.append((preset, chunk_ms, plan_ms, track_ms))

        matchering_ms = run_matchering(target, reference, tmp_dir, args.matchering_repeats)

    loads = (load_before, os.getloadavg()[0])
    lines = render_report(rows, fingerprint_ms, matchering_ms, window.frames / sr, args, loads)
    print("\n".join(lines))
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text("\n".join(lines) + "\n")
    print(f"\nwritten to {RESULTS.relative_to(REPO)}")


def render_report(rows, fingerprint_ms, matchering_ms, window_s, args, loads) -> list[str]:
    import numba
    import scipy

    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text()
                .splitlines() if line.startswith("model name")), platform.processor())  # fmt: skip
    lines = [
        "# Mastering engine speed",
        "",
        f"Reproduce: `{COMMAND}` (one core, 44.1 kHz stereo, synthesised {TRACK_S / 60:.0f}-minute "
        f"track). Measured {datetime.now(UTC):%Y-%m-%d %H:%M} UTC on {cpu}, "
        f"Python {platform.python_version()}, numpy {np.__version__}, scipy {scipy.__version__}, "
        f"numba {numba.__version__}. Medians: chunk renders over {args.repeats} repeats, "
        f"track-level operations over {args.slow_repeats}, matchering over "
        f"{args.matchering_repeats}; (min) in brackets. The machine is shared: 1-minute load "
        f"average {loads[0]:.1f} at the start and {loads[1]:.1f} at the end of the run on "
        f"{os.cpu_count()} CPUs, so medians include contention; minima show the uncontended "
        "cost.",
        "",
        f"A chunk render is `render_chunk` of a 10 s chunk with its context ({window_s:.1f} s "
        "window), decode included. The plan is `plan_mastering` (the chain's EQ and dynamics "
        "streamed once over the track, the limited loudness measured at a grid of gains, once "
        "per track and preset; from a file see `bench/bench_analysis.py`). Whole track is a "
        "single `render_track` pass.",
        "",
        "| preset | 10 s chunk (ms) | plan / calibration (ms) | whole 4-min track (ms) |",
        "|---|---:|---:|---:|",
    ]
    lines += [
        f"| {p} | {c[0]:.1f} ({c[1]:.1f}) | {pl[0]:.0f} ({pl[1]:.0f}) | {t[0]:.0f} |"
        for p, c, pl, t in rows
    ]
    mastered = [r for r in rows if r[0] != "original"]
    worst = max(r[1][0] for r in mastered)
    lines += [
        "",
        f"- Fingerprint of the 4-minute track: **{fingerprint_ms[0]:.0f} ms** "
        f"(min {fingerprint_ms[1]:.0f} ms; budget 2000 ms).",
        f"- Slowest preset, one 10 s chunk: **{worst:.1f} ms** median (budget 100 ms, aim 50 ms).",
    ]
    try:
        matchering = float(matchering_ms)
    except ValueError:
        lines.append(f"- matchering: {matchering_ms}")
    else:
        ours = fingerprint_ms[0] + max(r[2][0] + r[3][0] for r in mastered)
        lines += [
            f"- matchering 2 mastering the same 4-minute track (against a 60 s reference, "
            f"16-bit WAV out): **{matchering:.0f} ms**.",
            f"- masterstream, same track, slowest preset, fingerprint + plan + full render: "
            f"**{ours:.0f} ms** (ratio matchering / masterstream = {matchering / ours:.2f}). "
            f"Once the fingerprint and plan are stored (once per track and preset, in the "
            f"catalog), a 10 s chunk is ready {matchering / worst:.0f}x sooner than "
            "matchering's whole file.",
        ]
    return lines


if __name__ == "__main__":
    main()
