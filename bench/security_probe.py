"""The issue-12 probes against a real ``masterstream serve``, with the server's RSS.

1. A 400 MB POST /api/cache/warm, streamed (chunked) and declared (Content-Length).
2. Cross-site form POSTs to /api/cache/clear and /api/library/scan.
3. A DNS-rebinding request (a foreign Host name).
4. Five /ws handshakes from a foreign Origin.
First with no user (the loopback client has full rights), then after ``masterstream user
add`` (run while the server is up; sign-in is required within two seconds).

Run:  .venv/bin/python bench/security_probe.py
Writes bench/results/security_probe.md.
"""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
import numpy as np
import soundfile as sf
from websockets.asyncio.client import connect
from websockets.exceptions import InvalidStatus

OUT = Path(__file__).parent / "results" / "security_probe.md"
FORM = {"Content-Type": "application/x-www-form-urlencoded", "Origin": "http://evil.example"}


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS"):
            return int(line.split()[1]) / 1024
    return float("nan")


def big_body(megabytes: int):
    chunk = b"\0" * 1_000_000
    for _ in range(megabytes):
        yield chunk


def post_400mb(base: str, pid: int, declared: bool) -> str:
    headers = {"Content-Type": "application/json"}
    if declared:
        headers["Content-Length"] = str(400_000_000)
    before, started = rss_mb(pid), time.perf_counter()
    try:
        status = str(httpx.post(base + "/api/cache/warm", content=big_body(400),
                                headers=headers, timeout=120).status_code)  # fmt: skip
    except httpx.HTTPError as exc:  # the server may close the connection after answering
        status = type(exc).__name__
    kind = "declared" if declared else "chunked"
    elapsed_s, after = time.perf_counter() - started, rss_mb(pid)
    return (f"| 400 MB POST /api/cache/warm, {kind} | {status} | {elapsed_s:.2f} s | "
            f"{before:.0f} → {after:.0f} MB |")  # fmt: skip


async def ws_refusals(host: str) -> int:
    refused = 0
    for _ in range(5):
        try:
            async with connect(f"ws://{host}/ws", origin="http://evil.example"):
                pass
        except InvalidStatus as exc:
            refused += exc.response.status_code == 403
    return refused


def probes(base: str, host: str, pid: int) -> list[str]:
    rows = [post_400mb(base, pid, declared=False), post_400mb(base, pid, declared=True)]
    for path in ("/api/cache/clear", "/api/library/scan"):
        response = httpx.post(base + path, content=b"a=1", headers=FORM)
        rows.append(f"| cross-site form POST {path} | {response.status_code} | | |")
    rebound = httpx.get(base + "/api/tracks", headers={"Host": "rebind.evil.example"})
    rows.append(f"| GET /api/tracks with Host: rebind.evil.example | {rebound.status_code} | | |")
    refused = asyncio.run(ws_refusals(host))
    rows.append(f"| /ws from Origin http://evil.example | {refused}/5 refused (403) | | |")
    anonymous = httpx.get(base + "/api/tracks/1/chunks/0")
    rows.append(f"| GET a chunk without credentials | {anonymous.status_code} | | |")
    return rows


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        (root / "lib").mkdir()
        t = np.arange(44100 * 30) / 44100
        sf.write(root / "lib" / "tone.wav", 0.3 * np.sin(2 * np.pi * 440 * t), 44100)
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        cli = [sys.executable, "-m", "masterstream"]
        env = {**os.environ, "MASTERSTREAM_DATA_DIR": str(root / "data")}
        server = subprocess.Popen([*cli, "serve", "--library", str(root / "lib"), "--port",
                                   str(port), "--log-level", "warning"], env=env)  # fmt: skip
        host, base = f"127.0.0.1:{port}", f"http://127.0.0.1:{port}"
        try:
            for _ in range(300):
                try:
                    if httpx.get(base + "/readyz", timeout=1).status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                time.sleep(0.2)
            lines = ["# Security probes (issue 12) against a real server", "",
                     "Command: `.venv/bin/python bench/security_probe.py`", "",
                     f"RSS of the server when ready: {rss_mb(server.pid):.0f} MB", "",
                     "| probe (no user yet, loopback client) | answer | time | server RSS |",
                     "|---|---|---:|---:|", *probes(base, host, server.pid), ""]  # fmt: skip
            subprocess.run([*cli, "user", "add", "admin", "--admin", "--password-stdin"],
                           input="probe password\n", text=True, env=env, check=True)  # fmt: skip
            time.sleep(2.5)  # the server rereads the users' tables within two seconds
            lines += ["| probe (a user exists, no credentials) | answer | time | server RSS |",
                      "|---|---|---:|---:|", *probes(base, host, server.pid)]  # fmt: skip
        finally:
            server.terminate()
            server.wait(30)
    OUT.write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
