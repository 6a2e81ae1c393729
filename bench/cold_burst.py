"""Peak memory of the server under a cold burst: many listeners asking for chunks nobody
has rendered yet, all at once.

``masterstream serve`` (defaults, 10 s chunks, tier1 12 MB) on one 500 s stereo 44.1 kHz
track. The plans of four presets are computed first (one chunk each, then the cache is
cleared), so the burst measures chunk renders only: ``--clients`` clients each ask for
``--chunks-per-client`` distinct cold chunks at once (client i: chunk i in each preset),
200 distinct renders for 50 x 4. RSS of the server (main process and any render workers)
is sampled from /proc every 20 ms during the burst; the peak, the idle RSS before it and
the time the burst took are reported, median over ``--rounds`` bursts (cache cleared
between them).

Run:  .venv/bin/python bench/cold_burst.py [--clients 50] [--chunks-per-client 4]
Writes bench/results/cold_burst.md and bench/results/cold_burst.json (``--label`` names
a before/after pair: cold_burst_<label>.md).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
import numpy as np
import soundfile as sf

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_server import (
    MASTERSTREAM,
    RESULTS,
    RssSampler,
    free_port,
    process_tree_rss_bytes,
    wait_ready,
)

TRACK_S = 500.0
SAMPLE_RATE = 44100
PRESETS = ("adaptive", "warm", "bright", "punchy")


def cpu_s(pid: int) -> float:
    """User + system CPU seconds of ``pid`` (all its threads) from /proc."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def write_long_track(path: Path) -> None:
    """Band-limited noise under a slow tone, long enough for one chunk per client."""
    rng = np.random.default_rng(11)
    frames = int(TRACK_S * SAMPLE_RATE)
    t = np.arange(frames, dtype=np.float32) / SAMPLE_RATE
    audio = rng.standard_normal((frames, 2)).astype(np.float32) * 0.1
    audio += (0.3 * np.sin(2 * np.pi * 110 * t) * (0.6 + 0.4 * np.sin(0.5 * np.pi * t)))[:, None]
    sf.write(path, np.clip(audio, -1, 1), SAMPLE_RATE, subtype="PCM_16")


async def burst(base: str, track_id: int, clients: int, per_client: int) -> list[int]:
    async def one(client: httpx.AsyncClient, index: int, preset: str) -> int:
        url = f"{base}/api/tracks/{track_id}/chunks/{index}?preset={preset}"
        response = await client.get(url)
        return response.status_code

    limits = httpx.Limits(max_connections=clients * per_client)
    async with httpx.AsyncClient(timeout=600, limits=limits) as client:
        jobs = [one(client, i, PRESETS[j])
                for i in range(clients) for j in range(per_client)]  # fmt: skip
        return list(await asyncio.gather(*jobs))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--chunks-per-client", type=int, default=4)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--label", default="")
    parser.add_argument(
        "--cold-plans",
        action="store_true",
        help="no plan computed before the first burst (it plans 4 presets)",
    )
    parser.add_argument("--serve-arg", action="append", default=[],
                        help="extra argument for masterstream serve (repeatable)")  # fmt: skip
    args = parser.parse_args()
    if args.clients > TRACK_S / 10 or args.chunks_per_client > len(PRESETS):
        sys.exit(f"at most {int(TRACK_S / 10)} clients and {len(PRESETS)} chunks per client")
    root = Path(tempfile.mkdtemp(prefix="masterstream-cold-burst-"))
    (root / "music").mkdir()
    write_long_track(root / "music" / "long.wav")
    port = free_port()
    env = {**os.environ, "MASTERSTREAM_CHUNK_DURATION_S": "10",
           "MASTERSTREAM_RENDER_BUDGET_PER_MINUTE": "0"}  # fmt: skip
    command = [str(MASTERSTREAM), "serve", "--library", str(root / "music"), "--data-dir",
               str(root / "data"), "--cache-dir", str(root / "cache"), "--port", str(port),
               *args.serve_arg]  # fmt: skip
    commit = subprocess.run(["git", "describe", "--always", "--dirty"], capture_output=True,
                            text=True, check=False).stdout.strip()  # fmt: skip
    results: dict[str, object] = {
        "commit": commit, "cpu_count": os.cpu_count(), "clients": args.clients,
        "chunks_per_client": args.chunks_per_client, "rounds": args.rounds,
        "serve_args": args.serve_arg, "command": " ".join(sys.argv),
        "cold_plans": args.cold_plans,
        "load_average_before": [round(x, 2) for x in os.getloadavg()],
    }  # fmt: skip
    log = (root / "serve.log").open("wb")
    server = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, env=env)
    try:
        base = f"http://127.0.0.1:{port}"
        wait_ready(base + "/readyz", server)
        while True:  # the background scan indexes, analyses and plans: wait for idle
            status = httpx.get(base + "/api/library/status").json()
            if status["scans"] >= 1 and status["phase"] == "idle":
                break
            time.sleep(0.2)
        track_id = httpx.get(base + "/api/tracks").json()["items"][0]["id"]
        results["rss_after_scan_mb"] = round(process_tree_rss_bytes(server.pid)[1] / 1e6, 1)
        for preset in () if args.cold_plans else PRESETS:  # the burst measures renders only
            url = f"{base}/api/tracks/{track_id}/chunks/{int(TRACK_S / 10) - 1}?preset={preset}"
            assert httpx.get(url, timeout=600).status_code == 200
        peaks, idles, durations, cpu_ms = [], [], [], []
        for _ in range(args.rounds):
            httpx.post(base + "/api/cache/clear")
            time.sleep(1.0)
            idles.append(process_tree_rss_bytes(server.pid)[1])
            sampler = RssSampler(server.pid, interval_s=0.02)
            sampler.start()
            started, cpu_started = time.perf_counter(), cpu_s(server.pid)
            statuses = asyncio.run(burst(base, track_id, args.clients, args.chunks_per_client))
            durations.append(time.perf_counter() - started)
            renders = args.clients * args.chunks_per_client
            cpu_ms.append(1000 * (cpu_s(server.pid) - cpu_started) / renders)
            sampler.stop()
            assert all(s == 200 for s in statuses), sorted(set(statuses))
            peaks.append(sampler.tree_max)
        results["rss_idle_mb"] = [round(x / 1e6, 1) for x in idles]
        results["rss_peak_mb"] = [round(x / 1e6, 1) for x in peaks]
        results["rss_peak_median_mb"] = round(statistics.median(peaks) / 1e6, 1)
        results["burst_s"] = [round(x, 2) for x in durations]
        results["renders_per_s"] = round(
            args.clients * args.chunks_per_client / statistics.median(durations), 1
        )
        results["server_cpu_ms_per_render"] = [round(x, 1) for x in cpu_ms]
        results["load_average_after"] = [round(x, 2) for x in os.getloadavg()]
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(60)
        log.close()
    shutil.rmtree(root, ignore_errors=True)
    write_results(results, args.label)


def write_results(r: dict, label: str) -> None:
    name = f"cold_burst_{label}" if label else "cold_burst"
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / f"{name}.json").write_text(json.dumps(r, indent=2) + "\n")
    lines = [
        f"# Cold burst: peak memory ({label or 'current'})",
        "",
        f"Command: `.venv/bin/python {r['command']}` on commit {r['commit']}, "
        f"{r['cpu_count']} CPUs, load average before {r['load_average_before']}, after "
        f"{r['load_average_after']}.",
        "",
        f"{r['clients']} clients x {r['chunks_per_client']} distinct cold chunks at once "
        f"({'the first burst computes the four plans' if r['cold_plans'] else 'plans ready'}, "
        f"cache cleared before each of {r['rounds']} bursts):",
        "",
        f"- peak RSS (server and render workers): **{r['rss_peak_median_mb']} MB** median "
        f"(bursts: {r['rss_peak_mb']} MB; idle before them {r['rss_idle_mb']} MB)",
        f"- RSS after the library scan, before any request: {r['rss_after_scan_mb']} MB",
        f"- burst duration: {r['burst_s']} s ({r['renders_per_s']} renders/s); server CPU "
        f"per render {r['server_cpu_ms_per_render']} ms (main process: the default thread pool)",
    ]
    (RESULTS / f"{name}.md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
