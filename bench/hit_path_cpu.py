"""CPU time per tier1-hit chunk request, in-process and through a real uvicorn.

Wall-clock throughput is noise on a loaded shared machine; CPU time spent per request is
not. One 60 s stereo 44.1 kHz track in 10 s chunks; chunk 2 is rendered once as WAV
(1,764,044 bytes) and once as Opus (128 kbit/s), then asked for ``--requests`` times
each, every request a tier1 hit (checked), no user yet (loopback, default render budget).

* **in-process**: the real app and its lifespan driven by ``httpx.ASGITransport``;
  ``time.process_time()`` around the requests (client and app). The same client asking
  the same URL of a bare ASGI app that sends the same bytes and headers is the anchor:
  the difference is what the app costs.
* **uvicorn**: ``masterstream serve`` in its own process (uvloop + httptools, as users
  run it); a keep-alive client in this process; the server's utime+stime from
  ``/proc/<pid>/stat`` before and after, less its idle CPU rate.

Several code states are compared in one run (``--state LABEL=CHECKOUT``, e.g. git
worktrees of older commits; default: this checkout): every round measures each state in
turn (in-process in a child process with the state's ``src`` on ``PYTHONPATH``; all
uvicorn servers run at once), so background load hits them alike. Medians of the rounds.
``--profile wav|opus`` prints a cProfile of in-process hits of this checkout instead.

Run:  .venv/bin/python bench/hit_path_cpu.py [--state before=/tmp/wt] [--state now=.]
          [--requests 1500] [--rounds 3]
Writes bench/results/hit_path_cpu.md and .json.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import cProfile
import json
import os
import pstats
import shlex
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx

from bench_listeners_server import cpu_s, serve_command
from bench_server import free_port, wait_ready
from stream_seek import write_track

REPO = Path(__file__).resolve().parent.parent
RESULTS = REPO / "bench" / "results"
FORMATS = ("wav", "opus")
CHUNK_PATH = "/api/tracks/{track}/chunks/2?format={fmt}"
NOTES = "\n## Findings"


@contextlib.asynccontextmanager
async def in_process(root: Path) -> AsyncIterator[tuple[httpx.AsyncClient, dict[str, str]]]:
    """A client on the real app (lifespan open) and the chunk URL of each format, warm."""
    from masterstream.api import ServerOptions, create_app
    from masterstream.config import Settings

    settings = Settings(
        data_dir=root / "data", library_dir=root.parent / "music", cache_dir=root / "cache",
        chunk_duration_s=10.0, watch_library=False,
    )  # fmt: skip
    app = create_app(settings, ServerOptions())
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


def bare_app(response: httpx.Response):
    """The anchor: an ASGI app that sends ``response``'s headers and bytes, nothing else."""
    headers = response.headers.raw
    body = response.content

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


async def in_process_round(root: Path, n: int) -> dict[str, float]:
    """One round of this process's masterstream: µs per request, and per anchor request."""
    out = {}
    async with in_process(root) as (client, urls):
        responses = {fmt: await client.get(url) for fmt, url in urls.items()}
        for fmt, url in urls.items():
            out[fmt] = await cpu_us_per_request(client, url, n)
    for fmt, response in responses.items():
        transport = httpx.ASGITransport(app=bare_app(response))
        async with httpx.AsyncClient(transport=transport, base_url="http://localhost") as c:
            out[f"{fmt}_anchor"] = await cpu_us_per_request(c, urls[fmt], n)
    return out


def run_child(checkout: Path, root: Path, n: int) -> dict[str, float]:
    """:func:`in_process_round` in a child process importing ``checkout``'s code."""
    env = {**os.environ, "PYTHONPATH": str(checkout / "src")}
    done = subprocess.run(
        [sys.executable, __file__, "--child", str(root), "--requests", str(n)],
        env=env, capture_output=True, text=True, check=False,
    )  # fmt: skip
    if done.returncode != 0:
        raise RuntimeError(f"in-process round of {checkout} failed:\n{done.stderr[-2000:]}")
    return json.loads(done.stdout.splitlines()[-1])


@contextlib.contextmanager
def uvicorn_server(root: Path, checkout: Path) -> Iterator[tuple[str, int]]:
    """``masterstream serve`` of ``checkout`` on the library; yields (base URL, pid)."""
    command, extra_env = serve_command(checkout)
    port = free_port()
    env = {**os.environ, **extra_env, "MASTERSTREAM_CHUNK_DURATION_S": "10"}
    command += ["serve", "--library", str(root.parent / "music"), "--data-dir",
                str(root / "data"), "--port", str(port)]  # fmt: skip
    root.mkdir(parents=True, exist_ok=True)
    with (root / "serve.log").open("wb") as log:
        server = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, env=env)
        try:
            base = f"http://127.0.0.1:{port}"
            wait_ready(base + "/readyz", server)
            yield base, server.pid
        finally:
            server.send_signal(signal.SIGTERM)
            server.wait(60)


def warm_urls(client: httpx.Client) -> dict[str, str]:
    deadline = time.monotonic() + 120
    while not (items := client.get("/api/tracks").json()["items"]):
        if time.monotonic() > deadline:
            raise RuntimeError("the library was not scanned in 120 s")
        time.sleep(0.2)
    urls = {fmt: CHUNK_PATH.format(track=items[0]["id"], fmt=fmt) for fmt in FORMATS}
    for url in urls.values():
        client.get(url)
        if client.get(url).headers["x-cache-source"] != "tier1":
            raise RuntimeError(f"{url} is not a tier1 hit")
    return urls


def server_us_per_request(client: httpx.Client, pid: int, url: str, n: int, idle: float) -> float:
    cpu_start, t0 = cpu_s(pid), time.monotonic()
    for _ in range(n):
        if client.get(url).status_code != 200:
            raise RuntimeError(url)
    busy = cpu_s(pid) - cpu_start - idle * (time.monotonic() - t0)
    return busy / n * 1e6


def measure(states: dict[str, Path], root: Path, n: int, rounds: int) -> dict[str, dict]:
    samples: dict[str, dict[str, list[float]]] = {label: {} for label in states}
    with contextlib.ExitStack() as stack:
        servers = {}
        for label, checkout in states.items():
            base, pid = stack.enter_context(uvicorn_server(root / f"srv-{label}", checkout))
            client = stack.enter_context(httpx.Client(base_url=base, timeout=120))
            servers[label] = (client, pid, warm_urls(client))
        idle = {}
        started = {label: cpu_s(pid) for label, (_, pid, _) in servers.items()}
        t0 = time.monotonic()
        time.sleep(3.0)
        for label, (_, pid, _) in servers.items():
            idle[label] = (cpu_s(pid) - started[label]) / (time.monotonic() - t0)
        for r in range(rounds):
            order = list(states.items())  # every other round backwards: no state always first
            for label, checkout in order if r % 2 == 0 else reversed(order):
                child = run_child(checkout, root / f"ip-{label}-{r}", n)
                client, pid, urls = servers[label]
                for fmt, url in urls.items():
                    add = samples[label].setdefault
                    add(f"uvicorn_{fmt}", []).append(
                        server_us_per_request(client, pid, url, n, idle[label])
                    )
                    add(f"in_process_{fmt}", []).append(child[fmt])
                    add(f"in_process_{fmt}_app", []).append(child[fmt] - child[f"{fmt}_anchor"])
    return {
        label: {name: round(statistics.median(v), 1) for name, v in figures.items()}
        | {"idle_cpu_share": round(idle[label], 4)}
        | {"rounds": {name: [round(x, 1) for x in v] for name, v in figures.items()}}
        for label, figures in samples.items()
    }


async def route_order(root: Path, n: int, rounds: int) -> dict[str, list[float]]:
    """Opus hits in one process, alternating the chunk router first in the route table (as
    shipped) and second, behind the tracks router (as before): µs per request, per round."""
    from masterstream.api.routes import chunks

    out: dict[str, list[float]] = {"chunk router first": [], "chunk router second": []}
    async with in_process(root) as (client, urls):
        routes = client._transport.app.router.routes  # type: ignore[attr-defined]
        i = next(i for i, r in enumerate(routes)
                 if getattr(r, "original_router", None) is chunks.router)  # fmt: skip
        for _ in range(rounds):
            out["chunk router first"].append(await cpu_us_per_request(client, urls["opus"], n))
            routes.insert(i + 1, routes.pop(i))
            out["chunk router second"].append(await cpu_us_per_request(client, urls["opus"], n))
            routes.insert(i, routes.pop(i + 1))
    return {label: [round(x, 1) for x in v] for label, v in out.items()}


async def profile(root: Path, fmt: str, n: int) -> None:
    async with in_process(root) as (client, urls):
        profiler = cProfile.Profile()
        profiler.enable()
        for _ in range(n):
            await client.get(urls[fmt])
        profiler.disable()
    pstats.Stats(profiler).sort_stats("tottime").print_stats(45)


def report(run: dict) -> str:
    lines = [
        "# CPU time per tier1-hit chunk request",
        "",
        f"Command: `{run['command']}` on a {run['cpu_count']}-core machine shared with other "
        f"work (load average {run['load_average_start']} at the start, "
        f"{run['load_average_end']} at the end). {run['requests']} requests per figure, "
        f"median of {run['rounds']} rounds, the states measured in turn in every round "
        "(every other round in reverse order). "
        "µs of CPU per request. In-process: the whole process (client + app) and, in "
        "brackets, the app alone (less the same client asking a bare ASGI app that sends the "
        "same headers and bytes). uvicorn: the server process only (`/proc/<pid>/stat`), "
        "less its idle rate. WAV chunk 1,764,044 bytes; Opus chunk about 150 KB (128 kbit/s). "
        "Every round's figure is in the .json.",
        "",
        "| state | commit | in-process WAV (app) | in-process Opus (app) | uvicorn WAV "
        "| uvicorn Opus |",
        "|---|---|---:|---:|---:|---:|",
    ]
    for label, f in run["states"].items():
        lines.append(
            f"| {label} | {run['commits'][label]} | {f['in_process_wav']:.0f} "
            f"({f['in_process_wav_app']:.0f}) | {f['in_process_opus']:.0f} "
            f"({f['in_process_opus_app']:.0f}) | {f['uvicorn_wav']:.0f} "
            f"| {f['uvicorn_opus']:.0f} |"
        )
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--state", action="append", default=[], metavar="LABEL=CHECKOUT")
    parser.add_argument("--requests", type=int, default=1500)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--profile", choices=FORMATS)
    parser.add_argument(
        "--route-order",
        action="store_true",
        help="compare the chunk router first and second, in one process",
    )
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child is not None:
        print(json.dumps(asyncio.run(in_process_round(args.child, args.requests))))
        return
    states = {}
    for spec in args.state or [f"current={REPO}"]:
        label, sep, path = spec.partition("=")
        if not sep or not (Path(path) / "src" / "masterstream").is_dir():
            parser.error(f"--state wants LABEL=CHECKOUT (a checkout with src/), got {spec!r}")
        states[label] = Path(path).resolve()
    with tempfile.TemporaryDirectory(prefix="bench-hit-cpu-") as tmp:
        root = Path(tmp)
        (root / "music").mkdir()
        write_track(root / "music" / "bench-0.wav", seed=0)
        if args.route_order:
            print(json.dumps(asyncio.run(route_order(root / "order", args.requests, args.rounds))))
            return
        if args.profile:
            asyncio.run(profile(root / "profile", args.profile, args.requests))
            return
        run = {
            "command": shlex.join([".venv/bin/python", "bench/hit_path_cpu.py", *sys.argv[1:]]),
            "cpu_count": os.cpu_count(), "requests": args.requests, "rounds": args.rounds,
            "load_average_start": [round(x, 1) for x in os.getloadavg()],
            "commits": {label: subprocess.run(
                ["git", "-C", str(path), "rev-parse", "--short", "HEAD"],
                capture_output=True, text=True).stdout.strip() for label, path in states.items()},
            "states": measure(states, root, args.requests, args.rounds),
            "load_average_end": [round(x, 1) for x in os.getloadavg()],
        }  # fmt: skip
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "hit_path_cpu.json").write_text(json.dumps(run, indent=1) + "\n")
    md = RESULTS / "hit_path_cpu.md"
    notes = md.read_text().partition(NOTES)[2] if md.exists() else ""  # hand-written, kept
    md.write_text(report(run) + (NOTES + notes if notes else ""))
    print(report(run))


if __name__ == "__main__":
    main()
