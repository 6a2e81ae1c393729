"""Cold-seek time to first byte of ``/stream?start_s=`` in every stream format.

A ``masterstream serve`` on a library of 60 s stereo 44.1 kHz tracks (10 s chunks). Every
track is planned first (one chunk of ``preset=adaptive`` each, as the server's background
planner does after a scan); then, for each sample, the cache is cleared and a stream is
asked to start in the middle of a chunk nobody has rendered (``start_s`` = 23.7, 37.3,
...), in WAV, FLAC, Opus and MP3 in turn: the first byte waits for the lookup, the render
of that one chunk and its encoding. Also measured: the same with a preset whose plan does
not exist yet (the whole track is analysed first). Time to first byte is from sending
the request to receiving the first body byte, over loopback.

Run:  .venv/bin/python bench/stream_seek.py [--samples 7]
Writes bench/results/stream_seek.md and .json.
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import json
import os
import shlex
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import numpy as np
import soundfile as sf

from bench_listeners_server import cpu_s, serve_command
from bench_server import free_port, wait_ready

REPO = Path(__file__).resolve().parent.parent
RESULTS = REPO / "bench" / "results"
TOKEN = "bench-token"
FORMATS = ("wav", "flac", "opus", "mp3")
STARTS_S = (23.7, 37.3, 44.1, 12.9, 51.3, 33.3, 7.6)


def write_track(path: Path, seed: int, duration_s: float = 60.0, rate: int = 44100) -> None:
    """Noise and a slow-swelling tone, different for every ``seed`` (distinct content
    signatures: no two tracks share a cache entry)."""
    rng = np.random.default_rng(seed)
    t = np.arange(int(duration_s * rate)) / rate
    tone = 0.3 * np.sin(2 * np.pi * (110 + 20 * seed) * t) * (0.6 + 0.4 * np.sin(0.5 * t))
    audio = rng.standard_normal((t.size, 2)) * 0.1 + tone[:, None]
    sf.write(path, np.clip(audio, -1, 1), rate, subtype="PCM_16")


@contextlib.contextmanager
def serving(
    root: Path, tracks: int, checkout: Path = REPO
) -> Iterator[tuple[str, int, subprocess.Popen]]:
    """``masterstream serve`` of ``checkout`` on ``tracks`` 60 s tracks in 10 s chunks,
    unbudgeted; yields (base URL, port, process) once it is ready."""
    library = root / "music"
    library.mkdir(parents=True)
    for i in range(tracks):
        write_track(library / f"bench-{i}.wav", seed=i)
    port = free_port()
    command, extra_env = serve_command(checkout)
    env = {**os.environ, **extra_env, "MASTERSTREAM_CHUNK_DURATION_S": "10",
           "MASTERSTREAM_RENDER_BUDGET_PER_MINUTE": "0"}  # fmt: skip
    command += ["serve", "--library", str(library), "--data-dir",
               str(root / "data"), "--port", str(port), "--admin-token", TOKEN]  # fmt: skip
    with (root / "serve.log").open("wb") as log:
        server = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, env=env)
        try:
            base = f"http://127.0.0.1:{port}"
            wait_ready(base + "/readyz", server)
            deadline = time.monotonic() + 120
            while len(httpx.get(base + "/api/tracks").json()["items"]) < tracks:
                if time.monotonic() > deadline:
                    raise RuntimeError("the library was not scanned in 120 s")
                time.sleep(0.2)
            yield base, port, server
        finally:
            server.send_signal(signal.SIGTERM)
            server.wait(60)


def first_byte(port: int, path: str, pid: int) -> tuple[float, float, int]:
    """(ms to the first body byte, server CPU ms meanwhile, status); the connection is
    closed after that byte, so the rest of the stream is never asked for."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    cpu_start_s, started = cpu_s(pid), time.perf_counter()
    conn.request("GET", path)
    response = conn.getresponse()
    response.read(1)
    elapsed_ms = (time.perf_counter() - started) * 1000
    cpu_ms = (cpu_s(pid) - cpu_start_s) * 1000
    conn.close()
    time.sleep(0.5)  # the server notices the client left and stops the stream
    return elapsed_ms, cpu_ms, response.status


def clear(base: str) -> None:
    httpx.post(base + "/api/cache/clear", headers={"Authorization": f"Bearer {TOKEN}"})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--samples", type=int, default=7, help="cold seeks per format")
    parser.add_argument(
        "--checkout",
        type=Path,
        default=REPO,
        help="repository whose server is measured (its .venv, else src/)",
    )
    args = parser.parse_args()
    load_start = [round(x, 2) for x in os.getloadavg()]
    samples: dict[str, list[float]] = {fmt: [] for fmt in FORMATS}
    cpu: dict[str, list[float]] = {fmt: [] for fmt in FORMATS}
    unplanned: dict[str, float] = {}
    with (
        tempfile.TemporaryDirectory(prefix="bench-stream-seek-") as tmp,
        serving(Path(tmp), 3, args.checkout.resolve()) as (base, port, server),
    ):
        ids = [t["id"] for t in httpx.get(base + "/api/tracks").json()["items"]]
        for track in ids:  # plans exist, as after the server's background planning
            httpx.get(f"{base}/api/tracks/{track}/chunks/0", timeout=120)
        for i in range(args.samples):
            for fmt in FORMATS:  # interleaved: background load hits every format alike
                clear(base)
                start = STARTS_S[i % len(STARTS_S)]
                path = (f"/api/tracks/{ids[i % len(ids)]}/stream?format={fmt}"
                        f"&start_s={start}")  # fmt: skip
                ms, cpu_ms, status = first_byte(port, path, server.pid)
                if status != 200:
                    raise RuntimeError(f"{path}: HTTP {status}")
                samples[fmt].append(round(ms, 1))
                cpu[fmt].append(round(cpu_ms, 1))
        for j, fmt in enumerate(FORMATS):  # a preset nobody asked for: plan, then render
            clear(base)
            path = f"/api/tracks/{ids[j % len(ids)]}/stream?format={fmt}&start_s=37.3"
            preset = ("warm", "bright", "punchy", "gentle")[j]
            unplanned[fmt] = round(first_byte(port, f"{path}&preset={preset}", server.pid)[0], 1)
    result = {
        "command": shlex.join([".venv/bin/python", "bench/stream_seek.py", *sys.argv[1:]]),
        "commit": subprocess.run(["git", "-C", str(args.checkout), "rev-parse", "--short", "HEAD"],
                                 capture_output=True, text=True).stdout.strip(),
        "cpu_count": os.cpu_count(), "load_average_start": load_start,
        "load_average_end": [round(x, 2) for x in os.getloadavg()],
        "cold_seek_ttfb_ms": {fmt: {"median": statistics.median(v), "max": max(v), "samples": v}
                              for fmt, v in samples.items()},
        "server_cpu_ms_to_first_byte": {fmt: statistics.median(v) for fmt, v in cpu.items()},
        "unplanned_preset_seek_ttfb_ms": unplanned,
    }  # fmt: skip
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "stream_seek.json").write_text(json.dumps(result, indent=1) + "\n")
    (RESULTS / "stream_seek.md").write_text(report(result))
    print(report(result))


def report(r: dict) -> str:
    rows = [f"| {fmt} | **{v['median']:.1f}** | {v['max']:.1f} | {v['samples']} | "
            f"{r['server_cpu_ms_to_first_byte'][fmt]:.0f} | "
            f"{r['unplanned_preset_seek_ttfb_ms'][fmt]:.1f} |"
            for fmt, v in r["cold_seek_ttfb_ms"].items()]  # fmt: skip
    return "\n".join([
        "# Cold seek: time to first byte of /stream?start_s= per format",
        "",
        f"`{r['command']}` (server at commit {r['commit']}) on a {r['cpu_count']}-core "
        "machine shared with other work (load "
        f"average {r['load_average_start']} at the start, {r['load_average_end']} at the "
        "end). 60 s stereo 44.1 kHz tracks in 10 s chunks, `preset=adaptive` planned; before "
        "every sample the cache is cleared, so the chunk holding `start_s` is rendered and "
        "encoded for the request (default bitrates: Opus 128, MP3 192 kbit/s). FLAC is "
        "encoded from the WAV chunks as it is sent. Goal: 300 ms.",
        "",
        "| format | median ms | max ms | samples ms | server CPU ms to first byte (median) "
        "| preset without a plan yet, ms |",
        "|---|---:|---:|---|---:|---:|",
        *rows,
        "",
        "Server CPU is the CPU time the server process tree used between sending the request "
        "and the first byte (render + encode of the chunk; on an idle machine the time to "
        "first byte is close to it; with the load above, processes wait for a core). The last "
        "column is one seek with a preset nobody had asked for: the whole track is decoded "
        "and analysed (its plan) before the chunk is rendered.",
        "",
    ])  # fmt: skip


if __name__ == "__main__":
    main()
