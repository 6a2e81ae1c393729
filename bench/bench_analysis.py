"""Analysis (fingerprint + plan) speed and memory, against the whole-track analysis before it.

1. First chunk of a never-analysed 4-minute 44.1 kHz stereo FLAC: ``analyse_file`` (the
   fingerprint and the default preset's plan, streamed) then ``render_chunk`` + WAV encode,
   on one core; medians and minima over repeats. Anchor, same file, same session: the code
   before streaming (commit BEFORE, run from ``git archive`` in a subprocess).
2. Analysis throughput (x real time) of the default preset, on the 4-minute track and on a
   1-hour file.
3. Peak RSS of ``masterstream render FILE --chunk K`` (a fresh process, its own rusage) for
   3-minute, 1-hour and 3-hour files, and, for the long ones, the integrated loudness and
   true peak of the whole rendered track (every chunk, measured streaming) against the
   preset's target and ceiling.

    .venv/bin/python bench/bench_analysis.py [--repeats N] [--hours 1,3] [--skip-before]
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMBA_NUM_THREADS"):
    os.environ[_var] = "1"

import argparse  # noqa: E402
import json  # noqa: E402
import platform  # noqa: E402
import statistics  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from datetime import UTC, datetime  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402
import soundfile as sf  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))  # the test material synthesiser lives in tests/mastering

from tests.mastering.material import make_track  # noqa: E402

from masterstream.audio.chunks import ChunkGeometry  # noqa: E402
from masterstream.audio.decode import read_blocks, read_info  # noqa: E402
from masterstream.audio.encode import encode  # noqa: E402
from masterstream.mastering import analyse_file, get_preset, render_chunk  # noqa: E402
from masterstream.mastering.loudness_meter import LoudnessMeter  # noqa: E402
from masterstream.mastering.peaks import TruePeakStream  # noqa: E402

BEFORE = "44c7ffd"  # the last commit whose analysis held the whole track
SAMPLE_RATE = 44100
PRESET = "adaptive"  # the default preset
CHUNK = 5
RESULTS = REPO / "bench" / "results" / "analysis.md"
COMMAND = ".venv/bin/python bench/bench_analysis.py"
BEFORE_SCRIPT = """
import sys, time
sys.path.insert(0, sys.argv[1])
from masterstream.audio.chunks import ChunkGeometry
from masterstream.audio.decode import read_all
from masterstream.audio.encode import encode
from masterstream.mastering import compute_fingerprint, plan_mastering, render_chunk
path, repeats = sys.argv[2], int(sys.argv[3])
times = []
for _ in range(repeats + 1):  # the first run compiles the kernels
    start = time.perf_counter()
    audio, rate = read_all(path)
    plan = plan_mastering("adaptive", compute_fingerprint(audio, rate), audio, rate)
    geometry = ChunkGeometry(audio.shape[0], rate)
    encode(render_chunk(path, geometry, 5, plan, 1.0), rate, "wav")
    times.append(time.perf_counter() - start)
print(min(times[1:]), sorted(times[1:])[len(times[1:]) // 2])
"""


def write_music(path: Path, minutes: float) -> Path:
    """Minutes of the synthesised groove, one 60 s take repeated at changing levels,
    written block by block (never the whole file in memory)."""
    take = make_track("music", SAMPLE_RATE, 60.0, seed=11)
    with sf.SoundFile(path, "w", SAMPLE_RATE, 2, format="FLAC", subtype="PCM_16") as f:
        for minute in range(int(minutes)):
            f.write(take * (0.5 + 0.125 * ((minute * 7) % 5)))
        rest = round((minutes - int(minutes)) * 60 * SAMPLE_RATE)
        f.write(take[:rest])
    return path


def first_chunk(path: Path) -> float:
    """Seconds from nothing known to the first chunk's WAV bytes."""
    start = time.perf_counter()
    _, plans = analyse_file(path, (PRESET,))
    info = read_info(path)
    geometry = ChunkGeometry(info.frames, info.sample_rate)
    encode(render_chunk(path, geometry, CHUNK, plans[PRESET], 1.0), info.sample_rate, "wav")
    return time.perf_counter() - start


def timed(fn, repeats: int) -> tuple[float, float]:
    """(median, minimum) seconds of ``fn()`` over ``repeats`` calls."""
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), min(times)


def decode_only(path: Path) -> None:
    for _ in read_blocks(path, dtype="int16"):
        pass


def before_first_chunk(path: Path, repeats: int) -> tuple[float, float] | str:
    """(minimum, median) seconds of the pre-streaming analysis + chunk, or why not."""
    with tempfile.TemporaryDirectory() as tmp:
        archive = subprocess.run(
            ["git", "-C", str(REPO), "archive", BEFORE, "src"], capture_output=True, check=False
        )
        if archive.returncode:
            return f"not run: git archive {BEFORE} failed"
        subprocess.run(["tar", "-x", "-C", tmp], input=archive.stdout, check=True)
        run = subprocess.run(
            [sys.executable, "-c", BEFORE_SCRIPT, f"{tmp}/src", str(path), str(repeats)],
            capture_output=True,
            text=True,
            check=False,
        )
        if run.returncode:
            return f"not run: {run.stderr.strip().splitlines()[-1]}"
        low, median = map(float, run.stdout.split())
        return low, median


# The CLI in a fresh interpreter that writes its own peak RSS (VmHWM) to argv[1] at exit:
# the parent's rusage of a child would count the parent's pages it saw before exec.
MEASURED_CLI = """
import atexit, sys
report = sys.argv.pop(1)
def write_peak():
    with open("/proc/self/status") as status, open(report, "w") as out:
        out.write(next(line for line in status if line.startswith("VmHWM")).split()[1])
atexit.register(write_peak)
from masterstream.cli import app
app()
"""


def render_rss(path: Path, data_dir: Path, source: Path | None = None) -> tuple[float, float]:
    """(peak RSS in MB, wall seconds) of ``masterstream render path --chunk 5`` in a fresh
    process (``source``: run that checkout's CLI instead)."""
    env = dict(os.environ)
    if source is not None:
        env["PYTHONPATH"] = str(source)
    data_dir.mkdir(exist_ok=True)
    peak, errors = data_dir / "peak-kb.txt", data_dir / "stderr.txt"
    args = [
        sys.executable,
        "-c",
        MEASURED_CLI,
        str(peak),
        "render",
        str(path),
        "--preset",
        PRESET,
        "--chunk",
        str(CHUNK),
        "--out",
        str(data_dir / "chunk.wav"),
        "--data-dir",
        str(data_dir),
    ]
    start = time.perf_counter()
    with errors.open("wb") as stderr:
        status = subprocess.run(args, env=env, stdout=subprocess.DEVNULL, stderr=stderr).returncode
    wall = time.perf_counter() - start
    if status != 0:
        raise RuntimeError(f"render of {path} failed: {errors.read_text()[-800:]}")
    return int(peak.read_text()) / 1024.0, wall


def whole_render(path: Path) -> dict[str, float]:
    """Analyse, render every chunk and measure the master streaming (bounded memory)."""
    start = time.perf_counter()
    _, plans = analyse_file(path, (PRESET,))
    analysis_s = time.perf_counter() - start
    info = read_info(path)
    geometry = ChunkGeometry(info.frames, info.sample_rate)
    meter = LoudnessMeter(info.sample_rate, info.channels)
    peaks, true_peak = TruePeakStream(info.channels), 0.0
    for k in range(geometry.chunk_count):
        chunk = render_chunk(path, geometry, k, plans[PRESET], 1.0).T.astype(np.float64)
        meter.add(chunk)
        true_peak = max(true_peak, float(np.max(peaks.push(chunk), initial=0.0)))
    true_peak = max(true_peak, float(np.max(peaks.finish(), initial=0.0)))
    return {
        "duration_s": info.duration_s,
        "analysis_s": analysis_s,
        "x_real_time": info.duration_s / analysis_s,
        "integrated_lufs": meter.integrated_lufs(),
        "true_peak_dbtp": 20.0 * np.log10(true_peak),
        "gain_db": plans[PRESET].gain_db,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--hours", default="1,3", help="long files, in hours (comma-separated)")
    parser.add_argument("--skip-before", action="store_true", help="no pre-streaming anchor")
    args = parser.parse_args()
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})
    results: dict[str, object] = {"loads": [os.getloadavg()[0]]}
    with tempfile.TemporaryDirectory() as tmp:
        tmp_dir = Path(tmp)
        four = write_music(tmp_dir / "four-minutes.flac", 4.0)
        first_chunk(write_music(tmp_dir / "warm-up.flac", 1.0))  # load compiled kernels
        results["first_chunk_s"] = timed(lambda: first_chunk(four), args.repeats)
        results["decode_s"] = timed(lambda: decode_only(four), args.repeats)
        analysis = timed(lambda: analyse_file(four, (PRESET,)), args.repeats)
        results["analysis_4min"] = {"seconds": analysis, "x_real_time": 240.0 / analysis[0]}
        if not args.skip_before:
            results["before_first_chunk_s"] = before_first_chunk(four, max(3, args.repeats // 2))
        rss = {}
        three = write_music(tmp_dir / "three-minutes.flac", 3.0)
        rss["3 min"] = render_rss(three, tmp_dir / "data")
        if not args.skip_before:
            with tempfile.TemporaryDirectory() as old:
                subprocess.run(
                    f"git -C {REPO} archive {BEFORE} src | tar -x -C {old}", shell=True, check=True
                )
                rss["3 min, before"] = render_rss(three, tmp_dir / "data", Path(old) / "src")
        long_files = {}
        for hours in (float(h) for h in args.hours.split(",") if h):
            path = write_music(tmp_dir / f"{hours:g}-hours.flac", 60.0 * hours)
            rss[f"{hours:g} h"] = render_rss(path, tmp_dir / "data")
            long_files[f"{hours:g} h"] = whole_render(path)
            path.unlink()
        results["render_rss"] = rss
        results["long_files"] = long_files
    results["loads"].append(os.getloadavg()[0])
    lines = report(results, args)
    print("\n".join(lines))
    RESULTS.write_text("\n".join(lines) + "\n")
    RESULTS.with_suffix(".json").write_text(json.dumps(results, indent=2) + "\n")
    print(f"\nwritten to {RESULTS.relative_to(REPO)}")


def report(results: dict, args: argparse.Namespace) -> list[str]:
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    preset = get_preset(PRESET)
    first, decode = results["first_chunk_s"], results["decode_s"]
    analysis = results["analysis_4min"]
    lines = [
        "# Analysis: fingerprint and plan, streamed",
        "",
        f"Reproduce: `{COMMAND}`. Measured {datetime.now(UTC):%Y-%m-%d %H:%M} UTC on {cpu}, "
        f"one core (affinity), Python {platform.python_version()}, numpy {np.__version__}. "
        f"Synthesised 44.1 kHz stereo 16-bit FLAC (the test groove; long files repeat a 60 s "
        f"take at changing levels). Medians over {args.repeats} repeats, minima in brackets. "
        f"1-minute load average {results['loads'][0]:.1f} at the start, "
        f"{results['loads'][1]:.1f} at the end, on {os.cpu_count()} CPUs (shared machine).",
        "",
        "## First chunk of a never-analysed 4-minute track",
        "",
        f"`analyse_file` (fingerprint + `{PRESET}` plan; one decode, the blocks kept for the "
        f"plan) then chunk {CHUNK} rendered and WAV-encoded: **{first[0]:.2f} s** "
        f"({first[1]:.2f} s); budget 1.0 s. Of which decoding the FLAC alone: "
        f"{decode[0]:.2f} s ({decode[1]:.2f} s).",
    ]
    before = results.get("before_first_chunk_s")
    if isinstance(before, list | tuple):
        lines.append(
            f"Before (commit {BEFORE}, whole track in memory, same file and session): "
            f"**{before[1]:.2f} s** ({before[0]:.2f} s), "
            f"{before[1] / first[0]:.1f}x slower."
        )
    elif before:
        lines.append(f"Before: {before}")
    lines += [
        "",
        "## Analysis throughput (default preset)",
        "",
        f"- 4-minute track: {analysis['seconds'][0]:.2f} s ({analysis['seconds'][1]:.2f} s), "
        f"**{analysis['x_real_time']:.0f}x real time** (budget >= 250x).",
    ]
    for name, row in results["long_files"].items():
        lines.append(
            f"- {name} file (too long to keep its blocks: decoded twice): "
            f"{row['analysis_s']:.1f} s, **{row['x_real_time']:.0f}x real time**."
        )
    lines += [
        "",
        f"## Peak RSS of `masterstream render FILE --preset {PRESET} --chunk {CHUNK}`",
        "",
        "A fresh process each (its own `wait4` rusage, imports included); budget 400 MB.",
        "",
        "| file | peak RSS (MB) | wall (s) |",
        "|---|---:|---:|",
    ]
    lines += [
        f"| {name} | {mb:.0f} | {wall:.1f} |" for name, (mb, wall) in results["render_rss"].items()
    ]
    lines += [
        "",
        "## The long files rendered whole",
        "",
        f"Every chunk rendered with the streamed plan and measured streaming (target "
        f"{preset.target_lufs} LUFS, ceiling {preset.true_peak_dbtp} dBTP).",
        "",
        "| file | gain (dB) | integrated (LUFS) | error (LU) | true peak (dBTP) |",
        "|---|---:|---:|---:|---:|",
    ]
    for name, row in results["long_files"].items():
        error = row["integrated_lufs"] - preset.target_lufs
        lines.append(
            f"| {name} | {row['gain_db']:.2f} | {row['integrated_lufs']:.2f} | "
            f"{error:+.2f} | {row['true_peak_dbtp']:.2f} |"
        )
    return lines


if __name__ == "__main__":
    main()
