"""Real-time listeners per core for each chunk format: WAV, FLAC, Opus, MP3.

The machinery of ``bench_listeners.py`` (a fresh ``masterstream serve`` per run — cold
cache, no plans, the demo library — and N simulated players, each on a distinct track,
preset and intensity, playing in real time), with every listener asking for its chunks
in one format (``format=``, default bitrate). For each format and listener count it
reports missed deadlines, time to first audio and the server's CPU. Listeners per core
is the audio the listeners received (seconds) over the CPU seconds the server spent:
how many listeners one core keeps in real time when it does nothing else. On a busy
machine the wall-clock figures (TTFA, misses) reflect the load; the CPU figure hardly.

Run:  .venv/bin/python bench/listeners_formats.py [--listeners 10,30] [--duration 30]
          [--formats wav,flac,opus,mp3] [--checkout PATH]
Writes bench/results/listeners_formats.md and .json (after every run).
"""

from __future__ import annotations

import argparse
import json
import shlex
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path

import bench_listeners
from bench_listeners import commit_of, loadavg, machine, run_count
from bench_listeners_player import Listener

REPO = Path(__file__).resolve().parent.parent
OUT = REPO / "bench" / "results" / "listeners_formats"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--listeners", default="10,30")
    parser.add_argument("--duration", type=float, default=30.0)
    parser.add_argument("--formats", default="wav,flac,opus,mp3")
    parser.add_argument("--checkout", type=Path, default=REPO)
    own, _ = parser.parse_known_args()
    args = bench_listeners.parse_args(["--duration", str(own.duration), "--checkout",
                                       str(own.checkout)])  # fmt: skip
    meta = {
        "command": shlex.join([".venv/bin/python", "bench/listeners_formats.py", *sys.argv[1:]]),
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": machine(), "commit": commit_of(args.checkout), "loadavg_start": loadavg(),
        "duration_s": args.duration, "ramp_s": args.ramp,
    }  # fmt: skip
    rows: list[dict] = []
    with tempfile.TemporaryDirectory(prefix="bench-listeners-formats-") as tmp:
        template = Path(tmp) / "demo-library"
        for count in (int(c) for c in own.listeners.split(",")):
            for fmt in own.formats.split(","):  # interleaved: background load hits all alike
                Listener.extra_params = (("format", fmt),)
                print(f"{fmt}: {count} listeners (fresh server) ...", flush=True)
                row = run_count(count, args, template)
                rows.append({"format": fmt, "listeners": count, **row})
                write(meta, rows)
    print(f"wrote {OUT.with_suffix('.md')}")


def write(meta: dict, rows: list[dict]) -> None:
    OUT.with_suffix(".json").write_text(json.dumps({"meta": meta, "runs": rows}, indent=1))
    lines = [
        "# Real-time listeners per core, per chunk format",
        "",
        f"`{meta['command']}` (server at commit {meta['commit']}), {meta['date']}, on "
        f"{meta['machine']}; load average at the start {meta['loadavg_start']}.",
        f"Each run: a fresh server (cold cache, no plans, demo library), N listeners pressing "
        f"play over {meta['ramp_s']:g} s, each on a distinct track/preset/intensity, playing "
        f"{meta['duration_s']:g} s in real time (10 s chunks, default bitrates: Opus 128, MP3 "
        "192 kbit/s). Listeners per core = seconds of audio the listeners received / CPU "
        "seconds of the server over the run: how many real-time listeners one core serves "
        "(cold: its CPU includes planning every new track and preset — a whole-track analysis "
        "each — and look-ahead renders, so longer listening costs less per minute). Misses "
        "and TTFA are wall-clock and reflect the machine's load (other work shares it).",
        "",
        "| format | listeners | audio received s | server CPU s | renders | **listeners per "
        "core** | missed / deadlines | stall s | TTFA p50 s | TTFA p95 s | errors | load avg |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        audio_s = r["chunks_received"] * r["chunk_s"]
        cpu = r["server"]["cpu_s"]
        ttfa = {k: -1.0 if v is None else v for k, v in r["ttfa_s"].items()}
        lines.append(
            f"| {r['format']} | {r['listeners']} | {audio_s:.0f} | {cpu:.1f} | "
            f"{r['server']['renders']:.0f} | **{audio_s / cpu:.1f}** | {r['missed']} / "
            f"{r['deadlines']} | {r['stall_s']:.1f} | {ttfa['p50']:.2f} | {ttfa['p95']:.2f} | "
            f"{r['error_count']} | {r['loadavg_start'][0]:.1f} |"
        )
    OUT.with_suffix(".md").write_text("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
