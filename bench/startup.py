"""Start-up: time from process start to the first 200 from ``/livez`` (issue 9).

1. A folder of N tiny FLACs (default 3,000 files of 0.2 s, 12 per artist/album folder) is
   synthesised once. One untimed start per source tree first writes its bytecode and
   numba's cache, as an installed package has them.
2. ``masterstream serve`` is started on it ``--runs`` times (fresh data dir each run, so the
   scan always starts from nothing); each run records the wall time from ``Popen`` to the first
   200 from ``/livez`` (polled every 20 ms), then the time of the first chunk
   (cold: it pays the deferred imports of the render path), and stops the server.
3. ``python -X importtime -c "import masterstream.api.app"``: total and the top 15 modules by
   cumulative time.

Run:  .venv/bin/python bench/startup.py [--files 3000] [--runs 5] [--out startup.md]
      [--baseline-src /tmp/before/src]   (alternate runs with an earlier commit)
Writes bench/results/<out> (default startup.md).
"""

from __future__ import annotations

import argparse
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
import numpy as np
import soundfile as sf

RESULTS = Path(__file__).resolve().parent / "results"
MASTERSTREAM = Path(sys.executable).with_name("masterstream")
TOKEN = "bench-token"
SAMPLE_RATE = 44100


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def write_library(folder: Path, files: int) -> None:
    """``files`` FLACs of 0.2 s, a different tone each, in Artist/Album folders."""
    t = np.arange(int(0.2 * SAMPLE_RATE)) / SAMPLE_RATE
    for i in range(files):
        album = folder / f"Artist {i // 120:03d}" / f"Album {i // 12:04d}"
        album.mkdir(parents=True, exist_ok=True)
        tone = 0.3 * np.sin(2 * np.pi * (110 + i % 800) * t)
        sf.write(album / f"{i % 12 + 1:02d} - Track {i}.flac", tone, SAMPLE_RATE)


def first_ok(url: str, proc: subprocess.Popen, timeout_s: float = 120) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited with {proc.returncode}")
        try:
            if httpx.get(url, timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.02)
    raise RuntimeError(f"{url} did not answer 200 within {timeout_s} s")


def first_chunk_s(base: str) -> float | None:
    """Seconds for the first chunk of the first listed track (None if none is listed yet)."""
    headers = {"Authorization": f"Bearer {TOKEN}"}
    for _ in range(200):
        tracks = httpx.get(f"{base}/api/tracks", headers=headers, timeout=10).json()
        items = tracks["items"] if isinstance(tracks, dict) else tracks
        if items:
            break
        time.sleep(0.05)
    else:
        return None
    started = time.perf_counter()
    url = f"{base}/api/tracks/{items[0]['id']}/chunks/0"
    response = httpx.get(url, headers=headers, timeout=120)
    response.raise_for_status()
    return time.perf_counter() - started


def one_run(
    library: Path, root: Path, run: int, src: Path | None = None
) -> tuple[float, float | None]:
    """(seconds to /livez, seconds of the first chunk) of one server; ``src``: run the
    package from that source tree instead (a checkout of an earlier commit)."""
    port = free_port()
    data = root / f"data-{run}"
    command = [str(MASTERSTREAM), "serve", "--library", str(library), "--data-dir", str(data),
               "--port", str(port), "--admin-token", TOKEN]  # fmt: skip
    log = (root / f"serve-{run}.log").open("wb")
    started = time.perf_counter()
    # bytecode as an installed package has it (this sandbox sets PYTHONDONTWRITEBYTECODE)
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    if src is not None:
        env["PYTHONPATH"] = str(src)
    proc = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, env=env)
    try:
        first_ok(f"http://127.0.0.1:{port}/livez", proc)
        livez_s = time.perf_counter() - started
        return livez_s, first_chunk_s(f"http://127.0.0.1:{port}")
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()


def import_times(top: int = 15) -> tuple[float, list[tuple[float, str]]]:
    """(total seconds, top modules by cumulative seconds) of importing the app."""
    code = "import masterstream.api.app"
    env = {
        k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONDONTWRITEBYTECODE")
    }
    err = subprocess.run([sys.executable, "-X", "importtime", "-c", code],
                         capture_output=True, text=True, check=True, env=env).stderr  # fmt: skip
    seconds: dict[str, float] = {}
    for line in err.splitlines():
        if line.startswith("import time:") and "|" in line and "cumulative" not in line:
            _, cumulative, name = line.split("|")
            name = name.strip()
            seconds[name] = max(seconds.get(name, 0.0), int(cumulative) / 1e6)
    rows = sorted(((s, n) for n, s in seconds.items()), reverse=True)
    return seconds["masterstream.api.app"], rows[:top]


def table_rows(label: str, runs: list[tuple[float, float | None]]) -> list[str]:
    def row(name: str, values: list[float]) -> str:
        shown = ", ".join(f"{x:.2f}" for x in values)
        return f"| {label}{name} | {statistics.median(values):.2f} | {max(values):.2f} | {shown} |"

    chunks = [(livez, chunk) for livez, chunk in runs if chunk is not None]
    return [row("/livez (s)", [r[0] for r in runs])] + (
        [row("first chunk, asked once /livez answers (s)", [c for _, c in chunks]),
         row("process start to first chunk (s)", [lz + c for lz, c in chunks])]
        if chunks else []
    )  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=3000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--out", default="startup.md")
    parser.add_argument("--baseline-src", type=Path, default=None,
                        help="also time the package from this src/ (e.g. a worktree of an "
                        "earlier commit), alternating runs with the current one")  # fmt: skip
    args = parser.parse_args()
    root = Path(tempfile.mkdtemp(prefix="masterstream-bench-startup-"))
    library = root / "music"
    write_library(library, args.files)
    load_before = os.getloadavg()
    for src in {None, args.baseline_src}:  # untimed: writes bytecode and numba's cache
        one_run(library, root, -1 if src is None else 999, src)
    runs, baseline = [], []
    for i in range(args.runs):
        if args.baseline_src is not None:
            baseline.append(one_run(library, root, 1000 + i, args.baseline_src))
        runs.append(one_run(library, root, i))
    load_after = os.getloadavg()
    total_s, top = import_times()
    lines = [
        "# Start-up: process start to the first 200 from /livez",
        "",
        f"Command: `.venv/bin/python bench/startup.py --files {args.files} --runs {args.runs}"
        f" --out {args.out}"
        + (f" --baseline-src {args.baseline_src}" if args.baseline_src else "")
        + "`",
        f"Library: {args.files} FLACs of 0.2 s; CPUs: {os.cpu_count()}; load average "
        f"(1/5/15 min) before {' / '.join(f'{x:.2f}' for x in load_before)}, after "
        f"{' / '.join(f'{x:.2f}' for x in load_after)}.",
        "",
        "| | median | max | runs |",
        "|---|---|---|---|",
        *table_rows("", runs),
        *(table_rows(f"baseline ({args.baseline_src}): ", baseline) if baseline else []),
    ]
    lines += [
        "",
        f'`python -X importtime -c "import masterstream.api.app"`: {total_s:.2f} s in all; '
        "top 15 by cumulative time:",
        "",
        "| module | cumulative (s) |",
        "|---|---|",
        *(f"| `{name}` | {seconds:.3f} |" for seconds, name in top),
        "",
    ]
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / args.out).write_text("\n".join(lines))
    print("\n".join(lines))


if __name__ == "__main__":
    main()
