"""The server under test for ``bench_listeners.py``: one ``masterstream serve`` from a checkout.

:class:`ServerUnderTest` starts the server of a given checkout on a fresh data directory
(cold cache, cold plans, the demo library copied from a template so it is not
re-synthesised for every run) and a free loopback port, and waits for ``/readyz``.
:class:`ProcessTreeMeter` reads the CPU time and resident memory of the server and its
children (render workers, if the pool is a process pool) from ``/proc``.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx

CLOCK_TICKS_PER_S = os.sysconf("SC_CLK_TCK")
DEMO_DIR = "demo-library"

UNBUDGETED = {"MASTERSTREAM_RENDER_BUDGET_PER_MINUTE": "0"}
"""Every simulated listener is the same loopback address: no per-address render budget."""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def serve_command(checkout: Path) -> tuple[list[str], dict[str, str]]:
    """The command (and environment) that runs ``masterstream`` from ``checkout``."""
    script = checkout / ".venv" / "bin" / "masterstream"
    if script.exists():
        return [str(script)], {}
    pythonpath = os.pathsep.join(
        p for p in (str(checkout / "src"), os.environ.get("PYTHONPATH")) if p
    )
    return [sys.executable, "-m", "masterstream"], {"PYTHONPATH": pythonpath}


class ServerUnderTest:
    """One ``masterstream serve`` on ``workdir/data`` (fresh), stopped on exit."""

    def __init__(self, checkout: Path, workdir: Path, demo_template: Path | None) -> None:
        self.checkout = checkout
        self.workdir = workdir
        self.data_dir = workdir / "data"
        self.demo_template = demo_template
        self.port = free_port()
        self.log_path = workdir / "serve.log"
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def ws_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/ws"

    @property
    def pid(self) -> int:
        if self.proc is None:
            raise RuntimeError("server not started")
        return self.proc.pid

    def __enter__(self) -> ServerUnderTest:
        self.data_dir.mkdir(parents=True)
        if self.demo_template is not None and self.demo_template.is_dir():
            shutil.copytree(self.demo_template, self.data_dir / DEMO_DIR)
        command, env = serve_command(self.checkout)
        command += ["serve", "--port", str(self.port), "--data-dir", str(self.data_dir)]
        with self.log_path.open("ab") as log:
            self.proc = subprocess.Popen(
                command,
                stdout=log,
                stderr=subprocess.STDOUT,
                env={**os.environ, **env, **UNBUDGETED},
                cwd=self.workdir,
            )
        try:
            self._wait_ready(timeout_s=300.0)
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def save_demo_library(self, template: Path) -> None:
        """Keep the synthesised demo library for the next fresh server."""
        if not template.exists():
            shutil.copytree(self.data_dir / DEMO_DIR, template)

    def _wait_ready(self, timeout_s: float) -> None:
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if self.proc is None or self.proc.poll() is not None:
                raise RuntimeError(f"server exited:\n{self.log_tail()}")
            try:
                if httpx.get(self.base_url + "/readyz", timeout=1.0).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.2)
        raise RuntimeError(f"server not ready after {timeout_s} s:\n{self.log_tail()}")

    def stop(self, timeout_s: float = 30.0) -> None:
        if self.proc is None:
            return
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout_s)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc = None

    def log_tail(self, lines: int = 40) -> str:
        if not self.log_path.exists():
            return ""
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry.name))
    return found


def process_tree(pid: int) -> list[int]:
    """``pid`` and all its descendants alive now."""
    tree, todo = [], [pid]
    while todo:
        current = todo.pop()
        tree.append(current)
        todo.extend(_children(current))
    return tree


def cpu_s(pid: int) -> float:
    """User + system CPU seconds of ``pid`` and its reaped children."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    utime, stime, cutime, cstime = (int(v) for v in fields[11:15])
    return (utime + stime + cutime + cstime) / CLOCK_TICKS_PER_S


def machine_busy_s() -> float:
    """CPU seconds all processes of the machine have used (``/proc/stat``, not idle/iowait)."""
    fields = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    idle = fields[3] + fields[4]
    return (sum(fields[:8]) - idle) / CLOCK_TICKS_PER_S


def status_kb(pid: int, field: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    return 0


class ProcessTreeMeter:
    """CPU seconds and sampled peak RSS of a process tree over a measured interval."""

    def __init__(self, pid: int, interval_s: float = 0.5) -> None:
        self.pid = pid
        self.interval_s = interval_s
        self.peak_rss_bytes = 0
        self.max_processes = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._cpu_start_s = 0.0

    def tree_cpu_s(self) -> float:
        total = 0.0
        for pid in process_tree(self.pid):
            try:
                total += cpu_s(pid)
            except (OSError, ValueError):
                continue
        return total

    def _sample(self) -> None:
        while not self._stop.wait(self.interval_s):
            rss, tree = 0, process_tree(self.pid)
            self.max_processes = max(self.max_processes, len(tree))
            for pid in tree:
                try:
                    rss += status_kb(pid, "VmRSS") * 1024
                except OSError:
                    continue
            self.peak_rss_bytes = max(self.peak_rss_bytes, rss)

    def start(self) -> None:
        self._cpu_start_s = self.tree_cpu_s()
        self._thread.start()

    def stop(self) -> dict[str, float]:
        """CPU seconds since start, the tree's sampled peak RSS and size, the main VmHWM."""
        cpu = self.tree_cpu_s() - self._cpu_start_s
        self._stop.set()
        self._thread.join()
        return {
            "cpu_s": cpu,
            "peak_rss_bytes": float(self.peak_rss_bytes),
            "vm_hwm_bytes": float(status_kb(self.pid, "VmHWM") * 1024),
            "processes": float(self.max_processes),
        }
