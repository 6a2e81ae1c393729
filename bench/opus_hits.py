"""Tier1-hit throughput of an Opus chunk (~150 KB) against nginx serving the same bytes.

A ``masterstream serve`` (see ``stream_seek.serving``: 60 s stereo tracks, 10 s chunks)
renders one Opus chunk at the default 128 kbit/s once; then ``wrk`` asks for it again and
again (every request a tier1 hit), interleaved with nginx (1 worker, then 2) serving the
identical bytes as a static file, in the same run. With bodies this small the
per-request overhead dominates, unlike the 1.7 MB WAV chunks of ``bench_server.py``.

Run:  .venv/bin/python bench/opus_hits.py [--duration 5] [--rounds 3] [--connections 16]
Needs wrk and nginx. Writes bench/results/opus_hits.md and .json.
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import subprocess
import sys
import tempfile
from pathlib import Path

import httpx

from bench_server import against_nginx, wrk_table
from stream_seek import REPO, RESULTS, serving


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--duration", type=int, default=5, help="seconds per wrk run")
    parser.add_argument("--rounds", type=int, default=3, help="interleaved runs per server")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--checkout", type=Path, default=REPO, help="the server's repository")
    args = parser.parse_args()
    r: dict[str, object] = {
        "command": shlex.join([".venv/bin/python", "bench/opus_hits.py", *sys.argv[1:]]),
        "commit": subprocess.run(["git", "-C", str(args.checkout), "rev-parse", "--short",
                                  "HEAD"], capture_output=True, text=True).stdout.strip(),
        "cpu_count": os.cpu_count(), "load_average_start": [round(x, 2) for x in os.getloadavg()],
        "duration_s": args.duration, "rounds": args.rounds, "connections": args.connections,
    }  # fmt: skip
    with tempfile.TemporaryDirectory(prefix="bench-opus-hits-") as tmp:
        root = Path(tmp)
        with serving(root, 1, args.checkout.resolve()) as (base, _port, _server):
            track = httpx.get(base + "/api/tracks").json()["items"][0]["id"]
            url = f"{base}/api/tracks/{track}/chunks/2?format=opus"
            body = httpx.get(url, timeout=120).content
            again = httpx.get(url)
            if again.headers["x-cache-source"] != "tier1" or again.content != body:
                raise RuntimeError("the Opus chunk is not a tier1 hit")
            r["chunk_bytes"] = len(body)
            r.update(against_nginx(root, url, body, args))
    r["load_average_end"] = [round(x, 2) for x in os.getloadavg()]
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "opus_hits.json").write_text(json.dumps(r, indent=1) + "\n")
    (RESULTS / "opus_hits.md").write_text(report(r))
    print(report(r))


def report(r: dict) -> str:
    ms, n1, n2 = r["masterstream_tier1"], r["nginx_1_worker"], r["nginx_2_worker"]

    return "\n".join([
        "# Opus chunk tier1 hits against nginx (loopback)",
        "",
        f"`{r['command']}` (server at commit {r['commit']}): wrk, {r['connections']} "
        f"connections, 2 threads, {r['duration_s']} s per run, {r['rounds']} rounds "
        "interleaved (masterstream, nginx 1 worker, nginx 2 workers; medians shown) on a "
        f"{r['cpu_count']}-core machine shared with wrk and other work (load average "
        f"{r['load_average_start']} at the start, {r['load_average_end']} at the end). Every "
        f"masterstream request is a tier1 hit of one {r['chunk_bytes']:,}-byte Opus chunk "
        "(10 s stereo, 128 kbit/s); nginx serves the identical bytes as a static file.",
        "",
        *wrk_table(r),
        "",
        f"masterstream / nginx (1 worker): **{ms['requests_per_s'] / n1['requests_per_s']:.2f}×**;"
        f" / nginx (2 workers): **{ms['requests_per_s'] / n2['requests_per_s']:.2f}×** (goal: "
        f"at least 0.5×). Per round vs nginx 1 worker: {r['ratio_per_round_vs_nginx_1_worker']}"
        f"; requests/s per round: masterstream {ms['runs_requests_per_s']}, nginx 1 worker "
        f"{n1['runs_requests_per_s']}, nginx 2 workers {n2['runs_requests_per_s']}.",
        "",
    ])  # fmt: skip


if __name__ == "__main__":
    main()
