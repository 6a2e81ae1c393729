"""What album loudness mode costs: the album's loudness and a track's album-mode plan.

An album of four 4-minute 44.1 kHz stereo 16-bit FLAC tracks (the test groove at levels
0, -4, -8 and -12 dB), on one core:

1. ``loudness_blocks_file`` per track (the album's loudness reads every track once),
2. ``plan_with_headroom(path, plan, 0, offset)``: a track calibrated to its album target,
3. the extra work before the first album-mode chunk of a cold album (the track's
   track-mode plan already made): every track's blocks, then the track's album plan,
   next to ``analyse_file`` (the track-mode plan) of the same track as the anchor.

Medians over repeats (minima in brackets); results in bench/results/album_loudness.md.

    .venv/bin/python bench/album_loudness.py [--repeats N]
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

from masterstream.mastering import analyse_file  # noqa: E402
from masterstream.mastering.album import album_offsets_db, loudness_blocks_file  # noqa: E402
from masterstream.mastering.headroom import plan_with_headroom  # noqa: E402

RATE = 44100
DURATION_S = 240.0
LEVELS_DB = (0.0, -4.0, -8.0, -12.0)
PRESET = "adaptive"
RESULTS = REPO / "bench" / "results" / "album_loudness.md"


def write_album(directory: Path) -> list[Path]:
    take = make_track("music", RATE, 60.0, seed=3)
    music = np.concatenate([take] * round(DURATION_S / 60.0))
    paths = []
    for number, level_db in enumerate(LEVELS_DB, 1):
        path = directory / f"{number:02d}.flac"
        sf.write(path, music * 10.0 ** (level_db / 20.0), RATE, subtype="PCM_16")
        paths.append(path)
    return paths


def timed(work: Callable[[], object], repeats: int) -> tuple[float, float]:
    """(median, minimum) seconds of ``work()`` over ``repeats`` runs."""
    seconds = []
    for _ in range(repeats):
        started = time.perf_counter()
        work()
        seconds.append(time.perf_counter() - started)
    return statistics.median(seconds), min(seconds)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
    load_start = os.getloadavg()[0]
    with tempfile.TemporaryDirectory() as tmp:
        paths = write_album(Path(tmp))
        analyse_file(paths[0], (PRESET,))  # compile the kernels first
        blocks_s = timed(lambda: loudness_blocks_file(paths[0]), args.repeats)
        offsets = album_offsets_db([loudness_blocks_file(p) for p in paths])
        plan = analyse_file(paths[0], (PRESET,))[1][PRESET]
        album_s = timed(lambda: plan_with_headroom(paths[0], plan, 0.0, offsets[0]), args.repeats)
        anchor_s = timed(lambda: analyse_file(paths[0], (PRESET,)), args.repeats)
    load_end = os.getloadavg()[0]
    extra_s = len(paths) * blocks_s[0] + album_s[0]
    lines = [
        "# Album loudness mode: what it costs",
        "",
        f"Reproduce: `.venv/bin/python bench/album_loudness.py --repeats {args.repeats}`. "
        f"Measured {datetime.now(UTC):%Y-%m-%d %H:%M} UTC on {platform.processor() or 'x86_64'}"
        f", one core (affinity), Python {platform.python_version()}, numpy {np.__version__}. "
        f"An album of {len(paths)} tracks of {DURATION_S / 60:.0f} minutes (44.1 kHz stereo "
        f"16-bit FLAC, the test groove at {', '.join(f'{x:g}' for x in LEVELS_DB)} dB); "
        f"medians over {args.repeats} repeats, minima in brackets. 1-minute load average "
        f"{load_start:.1f} at the start, {load_end:.1f} at the end, on {os.cpu_count()} CPUs "
        "(shared machine).",
        "",
        "| step | seconds | x real time |",
        "|---|---:|---:|",
        f"| a track's gating blocks (`loudness_blocks_file`) | {blocks_s[0]:.2f} "
        f"({blocks_s[1]:.2f}) | {DURATION_S / blocks_s[0]:.0f}x |",
        f"| a track's album plan (`plan_with_headroom`, offset {offsets[0]:+.2f} LU) | "
        f"{album_s[0]:.2f} ({album_s[1]:.2f}) | {DURATION_S / album_s[0]:.0f}x |",
        f"| anchor: the track-mode analysis (`analyse_file`, {PRESET}) | {anchor_s[0]:.2f} "
        f"({anchor_s[1]:.2f}) | {DURATION_S / anchor_s[0]:.0f}x |",
        "",
        f"Extra work before the first album-mode chunk of a cold {len(paths)}-track album on "
        f"one core (every track's blocks, then the album plan): **{extra_s:.1f} s**; the "
        "server measures the tracks' blocks in parallel on its workers and does both once "
        "per album version (the plan is kept in the catalog).",
        "",
        f"Album offsets (LU from the album's loudness): {', '.join(f'{o:+.2f}' for o in offsets)}.",
    ]
    RESULTS.write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
