"""CPU time per tier1-hit chunk request, in-process and through a real uvicorn.

Wall-clock throughput is noise on a loaded shared machine; CPU time spent per request is
not. One 60 s stereo 44.1 kHz track in 10 s chunks; chunk 2 is rendered once as WAV
(1,764,044 bytes) and once as Opus (128 kbit/s), then asked for ``--requests`` times
each, every request a tier1 hit (checked), no user yet (loopback, default render budget).

* **in-process**: the real app and its lifespan driven by ``httpx.ASGITransport``;
  ``time.process_time()`` around the requests. The same client against a bare ASGI app
  sending the same bytes is the anchor: the difference is what the app costs.
* **uvicorn**: ``masterstream serve`` in its own process (uvloop + httptools, as users
  run it); a keep-alive client in this process; the server's utime+stime from
  ``/proc/<pid>/stat`` before and after, less its idle CPU rate over the same time.

Each figure is the median of ``--rounds`` rounds. ``--label`` names the code state; its
row is added to bench/results/hit_path_cpu.json (earlier labels are kept) and the table
in bench/results/hit_path_cpu.md is rewritten. ``--profile wav|opus`` prints a cProfile
of in-process hits instead.

Run:  .venv/bin/python bench/hit_path_cpu.py --label NAME [--requests 2000] [--rounds 3]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import cProfile
import json
import os
import pstats
import signal
import statistics
import subprocess
import tempfile
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx

import masterstream
from bench_listeners_server import cpu_s, serve_command
from bench_server import free_port, wait_ready
from masterstream.api import ServerOptions, create_app
from masterstream.config import Settings
from stream_seek import write_track

REPO = Path(__file__).resolve().parent.parent
RESULTS = REPO / "bench" / "results"
FORMATS = ("wav", "opus")
CHUNK_PATH = "/api/tracks/{track}/chunks/2?format={fmt}"


def settings_for(root: Path) -> Settings:
    return Settings(
        data_dir=root / "data", library_dir=root / "music", cache_dir=root / "cache",
        chunk_duration_s=10.0, watch_library=False,
    )  # fmt: skip


@contextlib.asynccontextmanager
async def in_process(root: Path) -> AsyncIterator[tuple[httpx.AsyncClient, dict[str, str]]]:
    """A client on the real app (lifespan open) and the chunk URL of each format, warm."""
    app = create_app(settings_for(root), ServerOptions())
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app, client=("127.0.0.1", 51000))
        async with httpx.AsyncClient(transport=transport, base_url="http://localhost") as c:
            while not (items := (await c.get("/api/tracks")).json()["items"]):
                await asyncio.sleep(0.1)
            urls = {}
            for fmt in FORMATS:
                urls[fmt] = CHUNK_PATH.format(track=items[0]["id"], fmt=fmt)
                await c.get(urls[fmt], timeout=120)
                if (await c.get(urls[fmt])).headers["x-cache-source"] != "tier1":
                    raise RuntimeError(f"{fmt} chunk is not a tier1 hit")
            yield c, urls


def bare_app(body: bytes):
    """The anchor: an ASGI app that sends ``body`` and nothing else."""
    headers = [(b"content-type", b"audio/wav"), (b"content-length", str(len(body)).encode())]

    async def app(scope, receive, send) -> None:
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": body})

    return app


async def cpu_us_per_request(client: httpx.AsyncClient, url: str, n: int) -> float:
    started = time.process_time()
    for _ in range(n):
        response = await client.get(url)
        if response.status_code != 200:
            raise RuntimeError(f"{url}: {response.status_code}")
    return (time.process_time() - started) / n * 1e6


async def measure_in_process(root: Path, n: int, rounds: int) -> dict[str, float]:
    out: dict[str, list[float]] = {}
    async with in_process(root) as (client, urls):
        bodies = {fmt: (await client.get(url)).content for fmt, url in urls.items()}
        for _ in range(rounds):
            for fmt, url in urls.items():
                out.setdefault(fmt, []).append(await cpu_us_per_request(client, url, n))
    for fmt, body in bodies.items():
        transport = httpx.ASGITransport(app=bare_app(body))
        async with httpx.AsyncClient(transport=transport, base_url="http://localhost") as c:
            for _ in range(rounds):
                out.setdefault(f"{fmt}_anchor", []).append(await cpu_us_per_request(c, "/", n))
    return {name: round(statistics.median(v), 1) for name, v in out.items()}


@contextlib.contextmanager
def uvicorn_server(root: Path, checkout: Path) -> Iterator[tuple[str, int]]:
    """``masterstream serve`` of ``checkout`` on the library; yields (base URL, pid)."""
    command, extra_env = serve_command(checkout)
    port = free_port()
    env = {**os.environ, **extra_env, "MASTERSTREAM_CHUNK_DURATION_S": "10"}
    command += ["serve", "--library", str(root / "music"), "--data-dir", str(root / "srv"),
                "--port", str(port)]  # fmt: skip
    with (root / "serve.log").open("wb") as log:
        server = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, env=env)
        try:
            base = f"http://127.0.0.1:{port}"
            wait_ready(base + "/readyz", server)
            yield base, server.pid
        finally:
            server.send_signal(signal.SIGTERM)
            server.wait(60)


def measure_uvicorn(root: Path, checkout: Path, n: int, rounds: int) -> dict[str, float]:
    out: dict[str, list[float]] = {}
    with (
        uvicorn_server(root, checkout) as (base, pid),
        httpx.Client(base_url=base, timeout=120) as c,
    ):
        deadline = time.monotonic() + 120
        while not (items := c.get("/api/tracks").json()["items"]):
            if time.monotonic() > deadline:
                raise RuntimeError("the library was not scanned in 120 s")
            time.sleep(0.2)
        urls = {fmt: CHUNK_PATH.format(track=items[0]["id"], fmt=fmt) for fmt in FORMATS}
        for url in urls.values():
            c.get(url)
            if c.get(url).headers["x-cache-source"] != "tier1":
                raise RuntimeError(f"{url} is not a tier1 hit")
        idle_start, idle_t = cpu_s(pid), time.monotonic()
        time.sleep(3.0)
        idle_rate = (cpu_s(pid) - idle_start) / (time.monotonic() - idle_t)
        for _ in range(rounds):
            for fmt, url in urls.items():
                cpu_start, t0 = cpu_s(pid), time.monotonic()
                for _ in range(n):
                    if c.get(url).status_code != 200:
                        raise RuntimeError(url)
                busy = cpu_s(pid) - cpu_start - idle_rate * (time.monotonic() - t0)
                out.setdefault(fmt, []).append(busy / n * 1e6)
    result = {name: round(statistics.median(v), 1) for name, v in out.items()}
    result["idle_cpu_share"] = round(idle_rate, 4)
    return result


async def profile(root: Path, fmt: str, n: int) -> None:
    async with in_process(root) as (client, urls):
        profiler = cProfile.Profile()
        profiler.enable()
        for _ in range(n):
            await client.get(urls[fmt])
        profiler.disable()
    pstats.Stats(profiler).sort_stats("tottime").print_stats(45)


def report(rows: list[dict]) -> str:
    lines = [
        "# CPU time per tier1-hit chunk request",
        "",
        "Command: `.venv/bin/python bench/hit_path_cpu.py --label NAME --requests N "
        "--rounds R` (one row per code state, measured in that state; see the bench's doc). "
        "µs of CPU per request, medians of the rounds. In-process: the whole process "
        "(client + app), and the app alone (less the same client on a bare ASGI app sending "
        "the same bytes). uvicorn: the server process only (`/proc/<pid>/stat`), less its "
        "idle rate. WAV chunk 1,764,044 bytes; Opus 128 kbit/s.",
        "",
        "| state | commit | in-process WAV (app) | in-process Opus (app) | uvicorn WAV "
        "| uvicorn Opus | N × rounds | load average |",
        "|---|---|---:|---:|---:|---:|---|---|",
    ]
    for r in rows:
        p, u = r["in_process"], r["uvicorn"]
        lines.append(
            f"| {r['label']} | {r['commit']} | {p['wav']:.0f} ({p['wav'] - p['wav_anchor']:.0f})"
            f" | {p['opus']:.0f} ({p['opus'] - p['opus_anchor']:.0f}) | {u['wav']:.0f} "
            f"| {u['opus']:.0f} | {r['requests']} × {r['rounds']} | {r['load_average']} |"
        )
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--label", default="current")
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--profile", choices=FORMATS)
    parser.add_argument("--skip-uvicorn", action="store_true")
    parser.add_argument(
        "--checkout",
        type=Path,
        default=REPO,
        help="the code measured (in-process: put its src/ on PYTHONPATH)",
    )
    args = parser.parse_args()
    checkout = args.checkout.resolve()
    if not Path(masterstream.__file__).resolve().is_relative_to(checkout):
        parser.error(
            f"masterstream is imported from {masterstream.__file__}, not from "
            f"{checkout}: run with PYTHONPATH={checkout / 'src'}"
        )
    with tempfile.TemporaryDirectory(prefix="bench-hit-cpu-") as tmp:
        root = Path(tmp)
        (root / "music").mkdir()
        write_track(root / "music" / "bench-0.wav", seed=0)
        if args.profile:
            asyncio.run(profile(root, args.profile, args.requests))
            return
        load = [round(x, 1) for x in os.getloadavg()]
        row = {
            "label": args.label, "requests": args.requests, "rounds": args.rounds,
            "commit": subprocess.run(["git", "-C", str(checkout), "rev-parse", "--short", "HEAD"],
                                     capture_output=True, text=True).stdout.strip(),
            "in_process": asyncio.run(measure_in_process(root, args.requests, args.rounds)),
            "uvicorn": {} if args.skip_uvicorn else measure_uvicorn(
                root, checkout, args.requests, args.rounds),
        }  # fmt: skip
        row["load_average"] = [load, [round(x, 1) for x in os.getloadavg()]]
    print(json.dumps(row))
    if args.skip_uvicorn:
        return
    store = RESULTS / "hit_path_cpu.json"
    rows = json.loads(store.read_text()) if store.exists() else []
    rows = [r for r in rows if r["label"] != args.label] + [row]
    store.write_text(json.dumps(rows, indent=1) + "\n")
    (RESULTS / "hit_path_cpu.md").write_text(report(rows))


if __name__ == "__main__":
    main()
