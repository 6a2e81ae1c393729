"""Cost of the security edge and the access gate on the hottest path: a tier1 chunk hit.

The same request (``GET /api/tracks/1/chunks/0``, already in tier1) is sent straight to
the ASGI app, no socket, so the difference between rows is the middleware's work:

* anchor: the app with ``EdgeGuard`` and ``AccessGate`` taken out of its middleware and
  no render budget;
* no user yet, a loopback client (one ``SELECT EXISTS`` per request);
* users exist, ``Authorization: Bearer <api key>`` (one indexed read by digest);
* users exist, the session cookie (one indexed read by digest).

Rows are measured in interleaved rounds; medians and p99 of per-request times in µs.

Run:  .venv/bin/python bench/auth_overhead.py [--requests 3000]
Writes bench/results/auth_overhead.md.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

import numpy as np
import soundfile as sf

from masterstream.api import ServerOptions, create_app
from masterstream.api.access import AccessGate
from masterstream.api.security import EdgeGuard
from masterstream.config import Settings
from masterstream.users import Role, UserStore
from masterstream.users.passwords import FAST_TEST_PARAMETERS

PATH = "/api/tracks/1/chunks/0"
OUT = Path(__file__).parent / "results" / "auth_overhead.md"


def settings_for(root: Path, library: Path, budget: int = 120) -> Settings:
    return Settings(data_dir=root, library_dir=library, cache_dir=root / "cache",
                    chunk_duration_s=10.0, render_workers=1,
                    render_budget_per_minute=budget)  # fmt: skip


def scope(headers: list[tuple[bytes, bytes]]) -> dict:
    return {
        "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "GET",
        "scheme": "http", "path": PATH, "raw_path": PATH.encode(), "root_path": "",
        "query_string": b"preset=original", "client": ("127.0.0.1", 50000),
        "server": ("127.0.0.1", 8765), "headers": [(b"host", b"127.0.0.1:8765"), *headers],
    }  # fmt: skip


async def call(app, base: dict) -> tuple[int, int]:
    status = 0

    async def receive() -> dict:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict) -> None:
        nonlocal status
        if message["type"] == "http.response.start":
            status = message["status"]

    started = time.perf_counter_ns()
    await app({**base, "state": {}}, receive, send)
    return time.perf_counter_ns() - started, status


async def main(requests: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        async with contextlib.AsyncExitStack() as stack:
            times = await measure(Path(tmp), stack, requests)
    report(times, requests)


async def measure(root: Path, stack: contextlib.AsyncExitStack, requests: int
                  ) -> dict[str, list[int]]:  # fmt: skip
    (root / "lib").mkdir()
    t = np.arange(44100 * 12) / 44100
    sf.write(root / "lib" / "tone.wav", 0.3 * np.sin(2 * np.pi * 440 * t), 44100)
    options = ServerOptions(prepare_plans=False)
    anchor = create_app(settings_for(root / "a", root / "lib", budget=0), options)
    anchor.user_middleware = [m for m in anchor.user_middleware
                              if m.cls not in (AccessGate, EdgeGuard)]  # fmt: skip
    plain = create_app(settings_for(root / "b", root / "lib"), options)
    users_settings = settings_for(root / "c", root / "lib")
    with UserStore(users_settings.catalog_path, hashing=FAST_TEST_PARAMETERS) as store:
        user = store.accounts.add("bench", "bench password", Role.USER)
        key = store.keys.create(user).secret
        cookie = store.sessions.create(user).secret
    with_users = create_app(users_settings, options)
    rows = {
        "anchor: no EdgeGuard/AccessGate/budget": (anchor, []),
        "no user yet, loopback": (plain, []),
        "users, API key": (with_users, [(b"authorization", f"Bearer {key}".encode())]),
        "users, session cookie": (with_users, [(b"cookie", f"ms_session={cookie}".encode())]),
    }
    for app in (anchor, plain, with_users):
        await stack.enter_async_context(app.router.lifespan_context(app))
    times: dict[str, list[int]] = {name: [] for name in rows}
    for name, (app, headers) in rows.items():
        for _ in range(3):  # render once, then tier1 hits
            _, status = await call(app, scope(headers))
            if status != 200:
                raise SystemExit(f"{name}: status {status}")
    for _ in range(requests // 100):
        for name, (app, headers) in rows.items():
            base = scope(headers)
            for _ in range(100):
                elapsed, _ = await call(app, base)
                times[name].append(elapsed)
    return times


def report(times: dict[str, list[int]], requests: int) -> None:
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True,
                            text=True, check=False).stdout.strip()  # fmt: skip
    anchor_median = statistics.median(times["anchor: no EdgeGuard/AccessGate/budget"]) / 1000
    lines = [
        "# Security edge and access gate on a tier1 chunk hit", "",
        f"Command: `.venv/bin/python bench/auth_overhead.py --requests {requests}` "
        f"(commit {commit}, ASGI app called directly, {requests} requests per row)", "",
        "| request | median µs | p99 µs | added µs (median) |", "|---|---:|---:|---:|",
    ]  # fmt: skip
    for name, samples in times.items():
        median = statistics.median(samples) / 1000
        p99 = float(np.percentile(samples, 99)) / 1000
        lines.append(f"| {name} | {median:.1f} | {p99:.1f} | {median - anchor_median:+.1f} |")
    OUT.write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--requests", type=int, default=3000)
    asyncio.run(main(parser.parse_args().requests))
