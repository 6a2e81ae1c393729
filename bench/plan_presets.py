"""Planning several presets of a track on one decode, against planning them one by one.

A synthesised 4-minute 44.1 kHz stereo 16-bit FLAC (the test groove), its fingerprint
measured once; then, on one core, the four non-default mastered presets planned with
``analyse_file(path, (preset,), fingerprint=...)`` one after another (one decode each, as a
listener's plan is made) and with ``analyse_file(path, presets, fingerprint=...)`` (one
decode for all, as the background batches them). Medians and minima over repeats; the
plans of both ways are checked equal. Also the memory one plan takes in the server's plan
store (``tracemalloc`` over 1,000 plans read back from their stored form).

    .venv/bin/python bench/plan_presets.py [--repeats N]
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMBA_NUM_THREADS"):
    os.environ[_var] = "1"

import argparse  # noqa: E402
import platform  # noqa: E402
import statistics  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
import tracemalloc  # noqa: E402
from datetime import UTC, datetime  # noqa: E402
from pathlib import Path  # noqa: E402

import soundfile as sf  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))  # the test material synthesiser lives in tests/mastering

from tests.mastering.material import make_track  # noqa: E402

from masterstream.mastering import MasteringPlan  # noqa: E402
from masterstream.mastering.analysis import analyse_file  # noqa: E402

RESULTS = REPO / "bench" / "results"
PRESETS = ("gentle", "warm", "bright", "punchy")


def timed(fn) -> tuple[float, object]:
    started = time.perf_counter()
    out = fn()
    return time.perf_counter() - started, out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--out", type=Path, default=RESULTS / "plan_presets.md")
    args = parser.parse_args()
    os.sched_setaffinity(0, {0})
    load_start = os.getloadavg()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "groove-4min.flac"
        sf.write(path, make_track("music", 44100, 240.0), 44100, subtype="PCM_16")
        fingerprint = analyse_file(path, ())[0]
        analyse_file(path, PRESETS[:1], fingerprint=fingerprint)  # compile the kernels

        def one_by_one() -> dict[str, MasteringPlan]:
            return {p: analyse_file(path, (p,), fingerprint=fingerprint)[1][p] for p in PRESETS}

        alone_s, together_s = [], []
        for _ in range(args.repeats):
            seconds, alone = timed(one_by_one)
            alone_s.append(seconds)
            seconds, together = timed(
                lambda: analyse_file(path, PRESETS, fingerprint=fingerprint)[1]
            )
            together_s.append(seconds)
            if alone != together:
                raise SystemExit("plans made together differ from plans made one by one")
        stored = together["punchy"].to_dict()
    tracemalloc.start()
    kept = [MasteringPlan.from_dict(stored) for _ in range(1000)]
    per_plan = tracemalloc.get_traced_memory()[0] / len(kept)
    tracemalloc.stop()
    commit = subprocess.run(["git", "-C", str(REPO), "rev-parse", "--short", "HEAD"],
                            capture_output=True, text=True).stdout.strip()  # fmt: skip
    med = statistics.median
    lines = [
        "# Several presets planned on one decode",
        "",
        f"Command: `.venv/bin/python bench/plan_presets.py --repeats {args.repeats}`; commit "
        f"{commit}; {datetime.now(UTC):%Y-%m-%d %H:%M} UTC; {platform.processor() or 'cpu'}, "
        f"one core (affinity), Python {platform.python_version()}; load average "
        f"{load_start[0]:.2f} at the start, {os.getloadavg()[0]:.2f} at the end.",
        "",
        "A synthesised 4-minute 44.1 kHz stereo 16-bit FLAC, fingerprint known; presets "
        f"{', '.join(PRESETS)}. Median (minimum) over {args.repeats} repeats; the plans made "
        "both ways are equal.",
        "",
        "| how | seconds | per preset |",
        "|---|---:|---:|",
        f"| one by one (a decode each) | {med(alone_s):.2f} ({min(alone_s):.2f}) | "
        f"{med(alone_s) / len(PRESETS):.2f} |",
        f"| together (one decode) | {med(together_s):.2f} ({min(together_s):.2f}) | "
        f"{med(together_s) / len(PRESETS):.2f} |",
        "",
        f"One plan in memory: about {per_plan:.0f} bytes (tracemalloc, 1,000 plans).",
        "",
    ]
    args.out.write_text("\n".join(lines))
    print("\n".join(lines))


if __name__ == "__main__":
    main()
