"""The HTTP server under load, against nginx serving the identical bytes (same run, loopback).

1. ``masterstream serve`` (one uvicorn process, default process render pool) on a 60 s
   stereo 44.1 kHz track in 10 s chunks; one chunk (1,764,044 bytes, ``preset=adaptive``)
   is rendered once, then ``wrk`` hammers it: every request is a tier1 hit.
2. nginx (1 worker, then 2 = one per core) serves the same bytes from a static file.
3. Time to first byte of a cold chunk (cache cleared: lookup + render) and of a
   ``/stream`` seek into a cold region (Range -> the one chunk it covers), medians.
4. Resident memory of the server (main process + render workers) before and under load,
   against the configured tier1 capacity (tier2 lives on disk).

Run:  .venv/bin/python bench/bench_server.py [--duration 10] [--connections 16]
Needs ``wrk`` and ``nginx`` (apt-get install -y wrk nginx). Traffic stays on 127.0.0.1.
Writes bench/results/server.md and bench/results/server.json.
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import json
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import numpy as np
import soundfile as sf

RESULTS = Path(__file__).resolve().parent / "results"
MASTERSTREAM = Path(sys.executable).with_name("masterstream")
TOKEN = "bench-token"
TRACK_S = 60.0
SAMPLE_RATE = 44100


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def write_track(path: Path) -> None:
    """60 s of band-limited noise with a slow envelope (something for the DSP to do)."""
    rng = np.random.default_rng(7)
    frames = int(TRACK_S * SAMPLE_RATE)
    t = np.arange(frames) / SAMPLE_RATE
    noise = rng.standard_normal((frames, 2)) * 0.1
    tone = (
        0.3
        * np.sin(2 * np.pi * 110 * t)[:, None]
        * (0.6 + 0.4 * np.sin(2 * np.pi * 0.25 * t))[:, None]
    )
    sf.write(path, np.clip(noise + tone, -1, 1), SAMPLE_RATE, subtype="PCM_16")


def wait_ready(url: str, proc: subprocess.Popen, timeout_s: float = 180) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"process exited with {proc.returncode}")
        try:
            if httpx.get(url, timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    raise RuntimeError(f"{url} not ready")


def process_tree_rss_bytes(pid: int) -> tuple[int, int]:
    """(RSS of ``pid``, RSS of ``pid`` plus all its descendants) from /proc."""

    def rss(p: int) -> int:
        try:
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) * 1024
        except OSError:
            return 0
        return 0

    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                ppid = int(Path(entry, "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(ppid, []).append(int(entry.name))
    total, stack = 0, [pid]
    while stack:
        p = stack.pop()
        total += rss(p)
        stack.extend(children.get(p, []))
    return rss(pid), total


class RssSampler(threading.Thread):
    def __init__(self, pid: int, interval_s: float = 0.2) -> None:
        super().__init__(daemon=True)
        self.pid, self.interval_s = pid, interval_s
        self.main_max = self.tree_max = 0
        self._halt = threading.Event()

    def run(self) -> None:
        while not self._halt.is_set():
            main, tree = process_tree_rss_bytes(self.pid)
            self.main_max, self.tree_max = max(self.main_max, main), max(self.tree_max, tree)
            self._halt.wait(self.interval_s)

    def stop(self) -> None:
        self._halt.set()
        self.join()


def run_wrk(url: str, duration_s: int, connections: int, threads: int = 2) -> dict[str, float]:
    out = subprocess.run(
        ["wrk", f"-t{threads}", f"-c{connections}", f"-d{duration_s}s", "--latency", url],
        check=True, capture_output=True, text=True,
    ).stdout  # fmt: skip

    def latency_ms(label: str) -> float:
        match = re.search(rf"^\s*{label}\s+([\d.]+)(us|ms|s)\s*$", out, re.M)
        if match is None:
            raise RuntimeError(f"no {label} latency in wrk output:\n{out}")
        value, unit = float(match[1]), match[2]
        return value / 1000 if unit == "us" else value * 1000 if unit == "s" else value

    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out)[1])
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    socket_errors = re.search(r"Socket errors: (.*)", out)
    return {
        "requests_per_s": rps,
        "p50_ms": latency_ms("50%"),
        "p90_ms": latency_ms("90%"),
        "p99_ms": latency_ms("99%"),
        "non_2xx": int(errors[1]) if errors else 0,
        "socket_errors": socket_errors[1] if socket_errors else "",
    }


NGINX_CONF = """
worker_processes {workers};
daemon off;
pid {root}/nginx.pid;
error_log {root}/nginx-error.log warn;
events {{ worker_connections 1024; }}
http {{
    access_log off;
    sendfile on;
    tcp_nopush on;
    client_body_temp_path {root}/tmp-body;
    proxy_temp_path {root}/tmp-proxy;
    fastcgi_temp_path {root}/tmp-fcgi;
    uwsgi_temp_path {root}/tmp-uwsgi;
    scgi_temp_path {root}/tmp-scgi;
    types {{ audio/wav wav; }}
    server {{
        listen 127.0.0.1:{port};
        root {root}/www;
    }}
}}
"""


@contextlib.contextmanager
def nginx_serving(root: Path, body: bytes, workers: int) -> Iterator[str]:
    """nginx with ``workers`` worker processes serving ``body``; yields its URL."""
    root.mkdir(parents=True, exist_ok=True)
    for directory in (root.parent, root):  # nginx workers drop privileges and must read it
        directory.chmod(0o755)
    (root / "www").mkdir(exist_ok=True)
    (root / "www" / "chunk.wav").write_bytes(body)
    port = free_port()
    conf = root / f"nginx-{workers}.conf"
    conf.write_text(NGINX_CONF.format(workers=workers, root=root, port=port))
    proc = subprocess.Popen(["nginx", "-c", str(conf), "-p", str(root)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
    try:
        url = f"http://127.0.0.1:{port}/chunk.wav"
        wait_ready(url, proc)
        if httpx.get(url).content != body:
            raise RuntimeError("nginx does not serve the identical bytes")
        yield url
    finally:
        proc.send_signal(signal.SIGQUIT)
        proc.wait(30)


def median_run(runs: list[dict[str, float]]) -> dict[str, object]:
    """Per-field medians of several wrk runs (plus every run's requests/s)."""
    out: dict[str, object] = {
        key: statistics.median(float(r[key]) for r in runs)
        for key in ("requests_per_s", "p50_ms", "p90_ms", "p99_ms")
    }
    out["non_2xx"] = sum(int(r["non_2xx"]) for r in runs)
    out["runs_requests_per_s"] = [round(float(r["requests_per_s"])) for r in runs]
    return out


def against_nginx(root: Path, url: str, body: bytes, args: argparse.Namespace) -> dict:
    """wrk on ``url`` and on nginx (1 worker, 2 workers) serving ``body``, ``args.rounds``
    rounds interleaved (background load hits all alike): medians and per-round ratios."""
    runs: dict[str, list[dict[str, float]]] = {"ms": [], "n1": [], "n2": []}
    with (
        nginx_serving(root / "nginx1", body, 1) as nginx1,
        nginx_serving(root / "nginx2", body, 2) as nginx2,
    ):
        for _ in range(args.rounds):
            runs["ms"].append(run_wrk(url, args.duration, args.connections))
            runs["n1"].append(run_wrk(nginx1, args.duration, args.connections))
            runs["n2"].append(run_wrk(nginx2, args.duration, args.connections))
    return {
        "masterstream_tier1": median_run(runs["ms"]),
        "nginx_1_worker": median_run(runs["n1"]),
        "nginx_2_worker": median_run(runs["n2"]),
        "ratio_per_round_vs_nginx_1_worker": [
            round(m["requests_per_s"] / n["requests_per_s"], 2)
            for m, n in zip(runs["ms"], runs["n1"], strict=True)
        ],
    }


def ttfb_ms(port: int, path: str, headers: dict[str, str] | None = None) -> tuple[float, int]:
    """Milliseconds until the first body byte arrives; also the status."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    started = time.perf_counter()
    conn.request("GET", path, headers=headers or {})
    response = conn.getresponse()
    response.read(1)
    elapsed = (time.perf_counter() - started) * 1000
    response.read()
    conn.close()
    return elapsed, response.status


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--duration", type=int, default=5, help="seconds per wrk run")
    parser.add_argument("--rounds", type=int, default=3, help="interleaved runs per server")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--cold-samples", type=int, default=5)
    args = parser.parse_args()
    for tool in ("wrk", "nginx"):
        if shutil.which(tool) is None:
            sys.exit(f"{tool} is not installed: apt-get install -y wrk nginx")

    root = Path(tempfile.mkdtemp(prefix="masterstream-bench-server-"))
    library = root / "music"
    library.mkdir()
    write_track(library / "bench.wav")
    port = free_port()
    tier1_mb = 12
    env = {
        **os.environ,
        "MASTERSTREAM_CHUNK_DURATION_S": "10",
        "MASTERSTREAM_RENDER_BUDGET_PER_MINUTE": "0",
    }  # load from one address, unbudgeted
    command = [str(MASTERSTREAM), "serve", "--library", str(library), "--data-dir",
               str(root / "data"), "--port", str(port), "--admin-token", TOKEN,
               "--tier1-mb", str(tier1_mb)]  # fmt: skip
    log = (root / "serve.log").open("wb")
    server = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, env=env)
    results: dict[str, object] = {
        "cpu_count": os.cpu_count(), "duration_s": args.duration, "rounds": args.rounds,
        "connections": args.connections,
        "load_average": [round(x, 2) for x in os.getloadavg()],
    }  # fmt: skip
    try:
        base = f"http://127.0.0.1:{port}"
        wait_ready(base + "/readyz", server)
        time.sleep(1.0)
        results["rss_idle_main_mb"], results["rss_idle_tree_mb"] = (
            round(v / 1e6, 1) for v in process_tree_rss_bytes(server.pid)
        )
        track_id = httpx.get(base + "/api/tracks").json()["items"][0]["id"]
        admin = {"Authorization": f"Bearer {TOKEN}"}

        # the first request of a (track, preset) also plans it: decodes the whole track
        httpx.post(base + "/api/cache/clear", headers=admin)
        results["first_request_ttfb_ms"] = {
            preset: round(ttfb_ms(port, f"/api/tracks/{track_id}/chunks/5?preset={preset}")[0], 1)
            for preset in ("adaptive", "warm")
        }
        # cold chunks: each sample clears the cache and fetches a chunk nobody rendered
        cold, seek = [], []
        for i in range(args.cold_samples):
            httpx.post(base + "/api/cache/clear", headers=admin)
            ms, status = ttfb_ms(port, f"/api/tracks/{track_id}/chunks/{i % 6}?preset=adaptive")
            assert status == 200
            cold.append(ms)
            httpx.post(base + "/api/cache/clear", headers=admin)
            offset = 44 + int((i % 6 * 10 + 3.7) * SAMPLE_RATE) * 4
            ms, status = ttfb_ms(port, f"/api/tracks/{track_id}/stream?preset=warm",
                                 {"Range": f"bytes={offset}-"})  # fmt: skip
            assert status == 206
            seek.append(ms)
        results["cold_chunk_ttfb_ms"] = {"median": round(statistics.median(cold), 1),
                                         "samples": [round(x, 1) for x in cold]}  # fmt: skip
        results["stream_seek_ttfb_ms"] = {"median": round(statistics.median(seek), 1),
                                          "samples": [round(x, 1) for x in seek]}  # fmt: skip

        url = f"{base}/api/tracks/{track_id}/chunks/0?preset=adaptive"
        body = httpx.get(url).content
        assert httpx.get(url).headers["x-cache-source"] == "tier1"
        results["chunk_bytes"] = len(body)
        sampler = RssSampler(server.pid)
        sampler.start()
        results.update(against_nginx(root, url, body, args))
        sampler.stop()
        results["rss_load_max_main_mb"] = round(sampler.main_max / 1e6, 1)
        results["rss_load_max_tree_mb"] = round(sampler.tree_max / 1e6, 1)
        results["tier1_capacity_mb"] = tier1_mb
        stats = httpx.get(base + "/api/cache/stats").json()
        results["tier1_hit_rate_after"] = stats["tier1"]["hit_rate"]
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(60)
        log.close()

    shutil.rmtree(root, ignore_errors=True)
    write_results(results)


def wrk_table(r: dict) -> list[str]:
    """The Markdown table of the masterstream and nginx wrk medians in ``r``."""

    def row(name: str, x: dict) -> str:
        return (f"| {name} | {x['requests_per_s']:.0f} | {x['p50_ms']:.2f} | {x['p90_ms']:.2f} "
                f"| {x['p99_ms']:.2f} | {x['non_2xx']} |")  # fmt: skip

    return [
        "| server | requests/s | p50 ms | p90 ms | p99 ms | non-2xx |",
        "|---|---:|---:|---:|---:|---:|",
        row("masterstream (1 uvicorn process)", r["masterstream_tier1"]),
        row("nginx, 1 worker", r["nginx_1_worker"]),
        row("nginx, 2 workers", r["nginx_2_worker"]),
    ]


def write_results(r: dict) -> None:
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "server.json").write_text(json.dumps(r, indent=2) + "\n")
    ms, n1, n2 = r["masterstream_tier1"], r["nginx_1_worker"], r["nginx_2_worker"]
    lines = [
        "# Server under load (loopback)",
        "",
        f"`bench/bench_server.py`: wrk, {r['connections']} connections, 2 threads, "
        f"{r['duration_s']} s per run, {r['rounds']} rounds interleaved (masterstream, nginx 1"
        " worker, nginx 2 workers, repeat; medians shown), on a "
        f"{r['cpu_count']}-core machine (wrk shares the cores with the server; other "
        f"work on the machine: load average {r['load_average']} at the start). Every "
        "masterstream request is a tier1 hit of one "
        f"{r['chunk_bytes']:,}-byte chunk (10 s stereo 16-bit WAV, preset=adaptive); nginx "
        "serves the identical bytes as a static file (sendfile).",
        "",
        *wrk_table(r),
        "",
        f"masterstream / nginx (1 worker): **{ms['requests_per_s'] / n1['requests_per_s']:.2f}×**"
        f" throughput; / nginx (2 workers): **{ms['requests_per_s'] / n2['requests_per_s']:.2f}×**"
        f" (goal: at least 0.5×). Ratio per round vs nginx 1 worker: "
        f"{r['ratio_per_round_vs_nginx_1_worker']}; requests/s per round: masterstream "
        f"{ms['runs_requests_per_s']}, nginx 1 worker {n1['runs_requests_per_s']}.",
        "",
        "## Cold paths (time to first byte, median of "
        f"{len(r['cold_chunk_ttfb_ms']['samples'])}, cache cleared before each)",
        "",
        "- first request of a track and preset (plans it: decodes and analyses the whole 60 s"
        f" track, then renders the chunk): {r['first_request_ttfb_ms']} ms",
        "- cold chunk (miss: lookup + decode window + master + encode): "
        f"**{r['cold_chunk_ttfb_ms']['median']} ms** "
        f"(samples {r['cold_chunk_ttfb_ms']['samples']})",
        f"- `/stream` seek (Range into a cold chunk, renders only that chunk): "
        f"**{r['stream_seek_ttfb_ms']['median']} ms** "
        f"(samples {r['stream_seek_ttfb_ms']['samples']})",
        "",
        "## Memory (RSS)",
        "",
        f"- idle after start-up: main process {r['rss_idle_main_mb']} MB, with render workers "
        f"{r['rss_idle_tree_mb']} MB",
        f"- under load (max): main process {r['rss_load_max_main_mb']} MB, with render workers "
        f"{r['rss_load_max_tree_mb']} MB",
        f"- configured tier1 capacity {r['tier1_capacity_mb']} MB (tier2 is on disk): the "
        f"main process grew {r['rss_load_max_main_mb'] - r['rss_idle_main_mb']:.1f} MB under "
        "load.",
        "",
        "Reproduce: `.venv/bin/python bench/bench_server.py` (needs `apt-get install -y wrk "
        "nginx`).",
    ]
    (RESULTS / "server.md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
