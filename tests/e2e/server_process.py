"""``masterstream serve`` as a subprocess on a free loopback port, for the e2e suite."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
from tests.conftest import write_tone

MASTERSTREAM = Path(sys.executable).with_name("masterstream")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class ServerProcess:
    """Starts, waits for readiness, and stops one ``masterstream serve``."""

    def __init__(self, workdir: Path, *args: str, env: dict[str, str] | None = None) -> None:
        self.workdir = workdir
        self.args = list(args)
        self.env = {**os.environ, **(env or {})}
        self.port = free_port()
        self.proc: subprocess.Popen[bytes] | None = None
        self.log_path = workdir / f"serve-{self.port}.log"

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def ws_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/ws"

    def start(self, timeout_s: float = 120.0, *, wait_for_library: bool = True) -> ServerProcess:
        """Start and wait for ``/readyz`` (the catalog is open), then — unless
        ``wait_for_library`` is False — for the background scan's index phase."""
        self.launch()
        self.wait_ready(timeout_s)
        if wait_for_library:
            self.wait_for_library(timeout_s)
        return self

    def launch(self) -> float:
        """Start the process without waiting; returns the monotonic time it started."""
        if not MASTERSTREAM.exists():
            raise RuntimeError(f"{MASTERSTREAM} is not installed (pip install -e .)")
        command = [str(MASTERSTREAM), "serve", "--port", str(self.port), *self.args]
        with self.log_path.open("ab") as log:
            started_s = time.monotonic()
            self.proc = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT,
                                         env=self.env, cwd=self.workdir)  # fmt: skip
        return started_s

    def wait_ready(self, timeout_s: float = 120.0, path: str = "/readyz") -> float:
        """Poll ``path`` until it answers 200; returns the monotonic time it did."""
        assert self.proc is not None
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"server exited with {self.proc.returncode}:\n{self.log()}")
            try:
                if httpx.get(self.base_url + path, timeout=1.0).status_code == 200:
                    return time.monotonic()
            except httpx.TransportError:
                pass
            time.sleep(0.02)
        self.stop()
        raise RuntimeError(f"server not ready after {timeout_s} s:\n{self.log()}")

    def library_status(self) -> dict:
        return httpx.get(self.base_url + "/api/library/status", timeout=5.0).json()

    def wait_for_library(self, timeout_s: float = 120.0) -> dict:
        """Poll ``/api/library/status`` until a scan's index phase is over (every file is
        listed; analysis may still run); returns the status."""
        deadline = time.monotonic() + timeout_s
        status: dict = {}
        while time.monotonic() < deadline:
            status = self.library_status()
            if status["scans"] >= 1 and status["phase"] not in ("synthesising", "indexing"):
                return status
            time.sleep(0.05)
        raise RuntimeError(f"library not indexed after {timeout_s} s: {status}")

    def stop(self, sig: int = signal.SIGTERM, timeout_s: float = 30.0) -> int:
        """Send ``sig`` and wait; returns the exit code."""
        if self.proc is None:
            return 0
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
            try:
                self.proc.wait(timeout_s)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        code = self.proc.returncode
        self.proc = None
        return code

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""


def tone_library_server(root: Path, env: dict[str, str], *args: str) -> ServerProcess:
    """``masterstream serve`` started on a one-track library (a 2.5 s tone, 1 s chunks) in
    ``root``, with ``env`` added to the environment."""
    library = root / "music"
    library.mkdir()
    write_tone(library / "short.wav", duration_s=2.5)
    return ServerProcess(
        root, "--library", str(library), "--data-dir", str(root / "data"), *args,
        env={"MASTERSTREAM_CHUNK_DURATION_S": "1.0", **env},
    ).start()  # fmt: skip
