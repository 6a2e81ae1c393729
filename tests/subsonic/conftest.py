"""A real ``masterstream serve`` on the demo library, with users made by the CLI, for the
Subsonic client tests; and helpers to call ``/rest`` by hand."""

from __future__ import annotations

import hashlib
import secrets
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from tests.e2e.server_process import MASTERSTREAM, ServerProcess

ADMIN, LISTENER = "alice", "bob"


@dataclass(frozen=True)
class Served:
    """The running server and the Subsonic credentials the CLI made."""

    process: ServerProcess
    data_dir: Path
    admin_password: str
    listener_password: str
    api_key: str

    @property
    def url(self) -> str:
        return self.process.base_url


def cli(data_dir: Path, *args: str, stdin: str | None = None) -> str:
    """Run ``masterstream user ...``; its standard output."""
    done = subprocess.run(
        [str(MASTERSTREAM), "user", *args, "--data-dir", str(data_dir)],
        input=stdin, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    if done.returncode != 0:
        raise RuntimeError(f"user {' '.join(args)}: {done.stderr}")
    return done.stdout


def token_params(name: str, password: str) -> dict[str, str]:
    """Salted-token credentials, as a Subsonic client makes them."""
    salt = secrets.token_hex(6)
    digest = hashlib.md5((password + salt).encode(), usedforsecurity=False).hexdigest()
    return {"u": name, "t": digest, "s": salt, "c": "tests", "v": "1.16.1"}


@pytest.fixture(scope="package")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    root = tmp_path_factory.mktemp("subsonic")
    data_dir = root / "data"
    cli(data_dir, "add", ADMIN, "--admin", "--password-stdin", stdin="sign-in password 1\n")
    cli(data_dir, "add", LISTENER, "--password-stdin", stdin="sign-in password 2\n")
    admin_password = cli(data_dir, "subsonic", ADMIN, "--generate").strip()
    listener_password = "bob's subsonic pw"
    cli(data_dir, "subsonic", LISTENER, "--password-stdin", stdin=listener_password + "\n")
    api_key = cli(data_dir, "apikey", ADMIN, "--label", "subsonic test").strip()
    process = ServerProcess(root, "--data-dir", str(data_dir), "--cache-dir", str(root / "cache"),
                            env={"MASTERSTREAM_RENDER_WORKERS": "1"})  # fmt: skip
    try:
        process.start(timeout_s=240, wait_for_library=False)
        wait_for_library(process.base_url, api_key)
        yield Served(process, data_dir, admin_password, listener_password, api_key)
    finally:
        process.stop()


def wait_for_library(url: str, api_key: str, timeout_s: float = 240.0) -> None:
    """Poll the library status (as a user: sign-in is on) until the index phase is over."""
    deadline = time.monotonic() + timeout_s
    headers = {"Authorization": f"Bearer {api_key}"}
    while time.monotonic() < deadline:
        status = httpx.get(url + "/api/library/status", headers=headers, timeout=5.0).json()
        if status["scans"] >= 1 and status["phase"] not in ("synthesising", "indexing"):
            return
        time.sleep(0.1)
    raise RuntimeError(f"library not indexed after {timeout_s} s")
