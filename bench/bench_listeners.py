"""Real-time listeners against ``masterstream serve``: time to first audio, stalls, capacity.

For each listener count, a fresh ``masterstream serve`` (cold cache, no plans yet, the
demo library) is started from a checkout, and N simulated players press play over a
ramp of a few seconds, each on a distinct track/preset/intensity so the cache cannot
share work. Each plays in real time (``bench_listeners_player.py``): chunk k+1 is asked
for when chunk k starts, a stall is chunk k+1 late for its deadline, and positions go
to ``/ws`` like a player's. Reported per listener count: TTFA p50/p95/max, deadlines and
misses, stall seconds, chunk latency by cache source, request errors, server CPU (cores)
and peak RSS, and renders per served chunk.

Run:  .venv/bin/python bench/bench_listeners.py [--listeners 5,20,40,80,160,320]
          [--duration 60] [--checkout PATH] [--out bench/results/bench_listeners]
Writes OUT.md and OUT.json (after every listener count, so a long run keeps its rows).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import re
import resource
import shlex
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import httpx

from bench_listeners_player import Listener, make_variants
from bench_listeners_report import markdown, summarise
from bench_listeners_server import ProcessTreeMeter, ServerUnderTest, machine_busy_s

REPO = Path(__file__).resolve().parent.parent
RESULTS = REPO / "bench" / "results"
RENDERS = re.compile(r"^masterstream_cache_renders_total(?:\{\})? ([0-9.eE+-]+)$", re.M)


def machine() -> str:
    model = "unknown CPU"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            model = line.split(":", 1)[1].strip()
            break
    mem_kb = next(
        int(line.split()[1])
        for line in Path("/proc/meminfo").read_text().splitlines()
        if line.startswith("MemTotal")
    )
    return (
        f"{model}, {os.cpu_count()} cores, {mem_kb / 1e6:.0f} GB RAM, Linux "
        f"{platform.release()}, Python {platform.python_version()}"
    )


def commit_of(checkout: Path) -> str:
    def git(*args: str) -> str:
        return subprocess.run(
            ["git", "-C", str(checkout), *args], capture_output=True, text=True, check=False
        ).stdout.strip()

    head = git("rev-parse", "--short", "HEAD") or "unknown"
    return head + (" + uncommitted changes" if git("status", "--porcelain", "--", "src") else "")


def loadavg() -> list[float]:
    return [round(v, 2) for v in os.getloadavg()]


def renders(base_url: str) -> float | None:
    """Chunks rendered so far (``/metrics``, else the seed's ``/api/cache/stats``)."""
    with httpx.Client(base_url=base_url, timeout=30.0) as client:
        found = RENDERS.search(client.get("/metrics").text)
        if found:
            return float(found.group(1))
        count = client.get("/api/cache/stats").json().get("render", {}).get("count")
        return None if count is None else float(count)


def catalog(base_url: str, *, planned: bool = False) -> tuple[list[dict], list[str], float]:
    """Tracks, mastered presets (not ``original``) and the chunk duration, once the index
    phase is over (with ``planned``, once the scan has also analysed and planned)."""
    busy = ("synthesising", "indexing", *(("analysing", "planning") if planned else ()))
    with httpx.Client(base_url=base_url, timeout=30.0) as client:
        deadline = time.monotonic() + 600.0  # servers that scan in the background list
        while time.monotonic() < deadline:  # tracks once the index phase is over
            status = client.get("/api/library/status")
            if status.status_code == 404:  # a server that scans before it listens
                break
            body = status.json()
            if body["scans"] >= 1 and body["phase"] not in busy:
                break
            time.sleep(0.1)
        tracks = client.get("/api/tracks", params={"limit": 500}).json()["items"]
        presets = [
            p["name"]
            for p in client.get("/api/presets").json()
            if not p.get("passthrough") and p["name"] != "original"
        ]
    return tracks, presets, float(tracks[0]["chunk_duration_s"])


def ramp_s(args: argparse.Namespace, count: int) -> float:
    """Seconds over which ``count`` listeners press play: a flash crowd (``--ramp``), or
    steady arrivals (``--arrival-every`` seconds between presses)."""
    return args.ramp if args.arrival_every is None else args.arrival_every * count


def duration_s(args: argparse.Namespace, count: int) -> float:
    """Playback per listener: with steady arrivals, long enough that all ``count`` play
    together for ``--duration`` seconds."""
    return args.duration if args.arrival_every is None else ramp_s(args, count) + args.duration


async def play(server: ServerUnderTest, count: int, args: argparse.Namespace) -> tuple[float, list]:
    tracks, presets, chunk_s = catalog(server.base_url)
    variants = make_variants(tracks, presets, count)
    listeners = [
        Listener(
            v,
            server.base_url,
            server.ws_url,
            chunk_s=chunk_s,
            duration_s=duration_s(args, count),
            timeout_s=args.timeout,
            position_every_s=args.position_every,
        )
        for v in variants
    ]
    start_s = asyncio.get_running_loop().time() + 0.5
    ramp_step_s = ramp_s(args, count) / count
    presses = (listener.run(start_s + i * ramp_step_s) for i, listener in enumerate(listeners))
    return chunk_s, await asyncio.gather(*presses)


def measure(server: ServerUnderTest, count: int, args: argparse.Namespace) -> dict:
    """``count`` listeners against a running server; the summary row."""
    load_start = loadavg()
    renders_before = renders(server.base_url)
    meter = ProcessTreeMeter(server.pid)
    meter.start()
    wall_start_s, bench_cpu_start_s = time.monotonic(), time.process_time()
    busy_start_s = machine_busy_s()
    chunk_s, results = asyncio.run(play(server, count, args))
    wall_s = time.monotonic() - wall_start_s
    bench_cpu_s = time.process_time() - bench_cpu_start_s
    measured = meter.stop()
    others_cpu_s = machine_busy_s() - busy_start_s - bench_cpu_s - measured["cpu_s"]
    renders_after = renders(server.base_url)
    row = summarise(results)
    delta = None
    if renders_before is not None and renders_after is not None:
        delta = renders_after - renders_before
    row.update(
        chunk_s=chunk_s,
        wall_s=wall_s,
        loadavg_start=load_start,
        bench_cpu_cores=bench_cpu_s / wall_s,
        other_cpu_cores=max(0.0, others_cpu_s / wall_s),
        loadavg_end=loadavg(),
        server={**measured, "cpu_cores": measured["cpu_s"] / wall_s, "renders": delta},
    )
    return row


def run_count(count: int, args: argparse.Namespace, template: Path) -> dict:
    """One fresh server (cold cache; no plans, or with ``--plans-ready`` every plan the
    server makes in the background) on a temporary data directory."""
    with (
        tempfile.TemporaryDirectory(prefix="bench-listeners-") as tmp,
        ServerUnderTest(args.checkout, Path(tmp), template) as server,
    ):
        catalog(server.base_url)  # the demo library exists once the index phase is over
        server.save_demo_library(template)
        if args.plans_ready:
            catalog(server.base_url, planned=True)
        return measure(server, count, args)


def write(out: Path, meta: dict, rows: list[dict]) -> None:
    out.parent.mkdir(parents=True, exist_ok=True)
    out.with_suffix(".md").write_text(markdown(meta, rows))
    out.with_suffix(".json").write_text(json.dumps({"meta": meta, "runs": rows}, indent=1) + "\n")


def add_notes(out: Path, notes: list[str]) -> None:
    """Append notes to the report of an earlier run (numbers unchanged)."""
    data = json.loads(out.with_suffix(".json").read_text())
    data["meta"]["notes"] = [*data["meta"].get("notes", []), *notes]
    write(out, data["meta"], data["runs"])


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--listeners",
        default="5,20,40,80,160,320",
        help="Comma-separated listener counts, one fresh server each.",
    )
    parser.add_argument(
        "--duration", type=float, default=60.0, help="Seconds of playback per listener."
    )
    parser.add_argument(
        "--ramp", type=float, default=5.0, help="Seconds over which the listeners press play."
    )
    parser.add_argument(
        "--arrival-every",
        type=float,
        default=None,
        help="Steady arrivals: seconds between presses (instead of --ramp); each listener "
        "then plays until all have played together for --duration seconds.",
    )
    parser.add_argument(
        "--position-every",
        type=float,
        default=2.0,
        help="Seconds between playback_position reports.",
    )
    parser.add_argument(
        "--timeout",
        type=float,
        default=120.0,
        help="Seconds before a chunk request counts as failed.",
    )
    parser.add_argument(
        "--checkout",
        type=Path,
        default=REPO,
        help="Repository whose server is measured (its .venv, else src/).",
    )
    parser.add_argument(
        "--out",
        type=Path,
        default=RESULTS / "bench_listeners",
        help="Results path without suffix (.md and .json are written).",
    )
    parser.add_argument(
        "--plans-ready",
        action="store_true",
        help="Press play once the server's background scan has analysed and planned the "
        "library (a server that has been up a while), not right after the index phase.",
    )
    parser.add_argument("--label", default=None, help="Title of the report.")
    parser.add_argument("--note", action="append", default=[], help="A note for the report.")
    parser.add_argument(
        "--add-notes", action="store_true", help="Only add the --note texts to an earlier OUT."
    )
    args = parser.parse_args(argv)
    args.counts = [int(c) for c in args.listeners.split(",") if c.strip()]
    args.checkout = args.checkout.resolve()
    return args


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    if args.add_notes:
        add_notes(args.out, args.note)
        return
    _soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))  # two sockets per listener
    meta = {
        "label": args.label or f"server at {args.checkout}",
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": machine(),
        "command": shlex.join(
            [
                ".venv/bin/python",
                "bench/bench_listeners.py",
                *(sys.argv[1:] if argv is None else argv),
            ]
        ),
        "checkout": str(args.checkout),
        "commit": commit_of(args.checkout),
        "loadavg_start": loadavg(),
        "duration_s": args.duration,
        "ramp_s": args.ramp,
        "arrival_every_s": args.arrival_every,
        "plans_ready": args.plans_ready,
        "position_every_s": args.position_every,
        "chunk_s": 10.0,
        "notes": args.note,
    }
    rows: list[dict] = []
    with tempfile.TemporaryDirectory(prefix="bench-listeners-demo-") as tmp:
        template = Path(tmp) / "demo-library"
        for count in args.counts:
            print(f"{count} listeners (fresh server) ...", flush=True)
            row = run_count(count, args, template)
            rows.append(row)
            meta["chunk_s"] = row["chunk_s"]
            write(args.out, meta, rows)
            t = {k: -1.0 if v is None else v for k, v in row["ttfa_s"].items()}
            print(
                f"  TTFA p50 {t['p50']:.2f} s p95 {t['p95']:.2f} s max {t['max']:.2f} s, "
                f"missed {row['missed']}/{row['deadlines']}, errors {row['error_count']}, "
                f"server {row['server']['cpu_cores']:.2f} cores",
                flush=True,
            )
    print(f"wrote {args.out.with_suffix('.md')} and .json")


if __name__ == "__main__":
    main()
