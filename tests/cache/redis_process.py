"""A real ``redis-server`` on a free loopback port, for the shared-tier tests.

Configured as the README tells operators to: a dedicated instance, ``maxmemory`` and
``maxmemory-policy allkeys-lru``, nothing persisted. It can be killed (SIGKILL) and
started again on the same port, empty, as after a crash.
"""

from __future__ import annotations

import shutil
import signal
import socket
import subprocess
import time
from pathlib import Path

import pytest

REDIS_SERVER = shutil.which("redis-server")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def require_redis() -> str:
    if REDIS_SERVER is None:
        pytest.skip("redis-server is not installed (apt-get install -y redis-server)")
    return REDIS_SERVER


class RedisProcess:
    """One ``redis-server`` subprocess: start, kill, restart on the same port."""

    def __init__(self, workdir: Path, *, maxmemory_bytes: int = 64_000_000) -> None:
        self.binary = require_redis()
        self.workdir = workdir
        self.port = free_port()
        self.maxmemory_bytes = maxmemory_bytes
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self, timeout_s: float = 10.0) -> RedisProcess:
        command = [
            self.binary, "--port", str(self.port), "--bind", "127.0.0.1",
            "--save", "", "--appendonly", "no", "--dir", str(self.workdir),
            "--maxmemory", str(self.maxmemory_bytes), "--maxmemory-policy", "allkeys-lru",
        ]  # fmt: skip
        log = (self.workdir / f"redis-{self.port}.log").open("ab")
        self.proc = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
        log.close()
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"redis-server exited with {self.proc.returncode}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as conn:
                    conn.sendall(b"PING\r\n")
                    if conn.recv(16).startswith(b"+PONG"):
                        return self
            except OSError:
                pass
            time.sleep(0.05)
        raise RuntimeError(f"redis-server not answering on port {self.port}")

    def kill(self) -> None:
        """SIGKILL: the server and everything it held are gone."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait()
        self.proc = None

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc = None
