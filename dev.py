#!/usr/bin/env python3
"""Bootstrap and run masterstream from a fresh checkout with nothing but python3.

    python3 dev.py serve [ARGS...]   # set up .venv, then start the server on the demo library
    python3 dev.py test  [ARGS...]   # set up .venv, then run ruff and the whole test suite

The virtual environment lives at .venv/ in the checkout. It is (re)installed when
pyproject.toml changes, so both commands stay correct after a pull.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
STAMP = VENV / ".masterstream-install-stamp"


def _stamp_value() -> str:
    return hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()


def ensure_venv() -> None:
    if sys.version_info < (3, 11):
        sys.exit(f"masterstream needs Python >= 3.11 (this is {sys.version.split()[0]})")
    if not (BIN / "python").exists():
        print("creating virtual environment in .venv/ ...", flush=True)
        venv.EnvBuilder(with_pip=True).create(VENV)
    if STAMP.exists() and STAMP.read_text() == _stamp_value():
        return
    print("installing masterstream and its dependencies into .venv/ ...", flush=True)
    pip = [str(BIN / "python"), "-m", "pip", "install", "--disable-pip-version-check", "-q"]
    subprocess.run([*pip, "-e", f"{ROOT}[dev]"], check=True)
    STAMP.write_text(_stamp_value())


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in {"serve", "test"}:
        print(__doc__)
        return 2
    ensure_venv()
    command, rest = argv[0], argv[1:]
    if command == "serve":
        os.execv(BIN / "masterstream", [str(BIN / "masterstream"), "serve", *rest])
    ruff = subprocess.run([str(BIN / "ruff"), "check", "src", "tests", "bench"], cwd=ROOT)
    if ruff.returncode != 0:
        return ruff.returncode
    return subprocess.run([str(BIN / "python"), "-m", "pytest", *rest], cwd=ROOT).returncode


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
