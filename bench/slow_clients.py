"""Half-sent requests against a running server: how long they hold connections, and
whether ``/livez`` answers meanwhile.

``masterstream serve`` (defaults: header timeout 10 s, at most 1,000 connections) on a
one-track library; ``--sockets`` connections each send a request line and two headers and
then nothing. Every 0.25 s the bench asks ``/livez`` on a fresh connection (2 s timeout)
and counts the half-sent connections the server has closed, for ``--watch`` seconds or
until all are closed.

Run:  .venv/bin/python bench/slow_clients.py [--sockets 5000] [--watch 80] [--label NAME]
Writes bench/results/slow_clients[_NAME].md and .json.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # the tests' helpers
sys.path.insert(0, str(Path(__file__).resolve().parent))
from tests.e2e.test_slow_clients import closed_by_server, half_sent

from bench_server import MASTERSTREAM, RESULTS, free_port, wait_ready, write_track


def livez_ms(base: str) -> float | None:
    started = time.perf_counter()
    try:
        ok = httpx.get(base + "/livez", timeout=2.0).status_code == 200
    except httpx.HTTPError:
        return None
    return (time.perf_counter() - started) * 1000 if ok else None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sockets", type=int, default=5000)
    parser.add_argument("--watch", type=float, default=80.0)
    parser.add_argument("--label", default="")
    args = parser.parse_args()
    root = Path(tempfile.mkdtemp(prefix="masterstream-slow-clients-"))
    (root / "music").mkdir()
    write_track(root / "music" / "bench.wav")
    port = free_port()
    command = [str(MASTERSTREAM), "serve", "--library", str(root / "music"), "--data-dir",
               str(root / "data"), "--cache-dir", str(root / "cache"),
               "--port", str(port)]  # fmt: skip
    log = (root / "serve.log").open("wb")
    server = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
    commit = subprocess.run(["git", "describe", "--always", "--dirty"], capture_output=True,
                            text=True, check=False).stdout.strip()  # fmt: skip
    result: dict[str, object] = {
        "commit": commit, "sockets": args.sockets, "command": " ".join(sys.argv),
        "load_average": [round(x, 2) for x in os.getloadavg()],
    }  # fmt: skip
    sockets: list[socket.socket] = []
    try:
        base = f"http://127.0.0.1:{port}"
        wait_ready(base + "/readyz", server)
        sockets.extend(half_sent(port) for _ in range(args.sockets))
        started = time.monotonic()
        open_ = list(sockets)
        latencies, failures, timeline = [], 0, []
        while open_ and time.monotonic() - started < args.watch:
            ms = livez_ms(base)
            failures += ms is None
            if ms is not None:
                latencies.append(ms)
            open_ = [sock for sock in open_ if not closed_by_server(sock)]
            timeline.append((round(time.monotonic() - started, 1), len(open_)))
            time.sleep(0.25)
        result["all_closed_after_s"] = timeline[-1][0] if not open_ else None
        result["still_open_at_end"] = len(open_)
        result["watched_s"] = round(time.monotonic() - started, 1)
        result["open_at_1s"] = next((n for t, n in timeline if t >= 1.0), None)
        result["livez_ok"], result["livez_failed"] = len(latencies), failures
        result["livez_max_ms"] = round(max(latencies), 1) if latencies else None
    finally:
        for sock in sockets:
            sock.close()
        server.send_signal(signal.SIGTERM)
        server.wait(60)
        log.close()
        shutil.rmtree(root, ignore_errors=True)
    name = f"slow_clients_{args.label}" if args.label else "slow_clients"
    (RESULTS / f"{name}.json").write_text(json.dumps(result, indent=2) + "\n")
    lines = [
        f"# Half-sent requests ({args.label or 'current'})", "",
        f"Command: `.venv/bin/python {result['command']}` on {commit}, load average "
        f"{result['load_average']} (2 CPUs).", "",
        f"- {args.sockets} connections sent a request line and two headers, then nothing; "
        f"{result['open_at_1s']} still open after 1 s",
        f"- all closed by the server after: {result['all_closed_after_s']} s "
        f"({result['still_open_at_end']} still open after {result['watched_s']} s)",
        f"- /livez meanwhile: {result['livez_ok']} answered (max {result['livez_max_ms']} ms), "
        f"{result['livez_failed']} failed or timed out (2 s)",
    ]  # fmt: skip
    (RESULTS / f"{name}.md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
