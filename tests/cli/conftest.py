"""``masterstream`` as a user runs it: a real process with private XDG directories, so the
user's own configuration, data and cache are never read."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest


class Cli:
    """Runs ``python -m masterstream`` with a private home for config, data and cache."""

    def __init__(self, home: Path) -> None:
        self.home = home
        self.env = {**os.environ, "COLUMNS": "200"}
        for name in ("CONFIG", "DATA", "CACHE"):
            self.env[f"XDG_{name}_HOME"] = str(home / name.lower())
        self.env = {k: v for k, v in self.env.items() if not k.startswith("MASTERSTREAM_")}

    @property
    def default_config(self) -> Path:
        return self.home / "config" / "masterstream" / "masterstream.toml"

    def __call__(
        self,
        *args: str,
        env: dict[str, str] | None = None,
        check: bool = True,
        stdin: str = "",
    ) -> subprocess.CompletedProcess[str]:
        result = subprocess.run([sys.executable, "-m", "masterstream", *args], input=stdin,
                                capture_output=True, text=True, env={**self.env, **(env or {})},
                                timeout=240)  # fmt: skip
        if check and result.returncode != 0:
            raise AssertionError(f"exit {result.returncode}\n{result.stdout}\n{result.stderr}")
        return result


@pytest.fixture
def cli(tmp_path) -> Cli:
    return Cli(tmp_path)
