"""A real small filesystem for disk-fault tests: a tmpfs mounted for one test.

Mounting needs root (or CAP_SYS_ADMIN); where it is not allowed the test is skipped with
the reason. ``remount(path, read_only=...)`` flips a mounted tmpfs between read-only and
writable in place, as a failing disk remounted read-only by the kernel would be.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, capture_output=True, text=True, check=False)


@contextmanager
def mounted_tmpfs(path: Path, size_bytes: int) -> Iterator[Path]:
    """A tmpfs of ``size_bytes`` mounted on ``path`` (created) until the block ends."""
    path.mkdir(parents=True, exist_ok=True)
    done = _run("mount", "-t", "tmpfs", "-o", f"size={size_bytes}", "tmpfs", str(path))
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.strip() or done.returncode}")
    try:
        yield path
    finally:
        _run("umount", "-l", str(path))


def remount(path: Path, *, read_only: bool) -> None:
    done = _run("mount", "-o", f"remount,{'ro' if read_only else 'rw'}", str(path))
    if done.returncode != 0:
        raise RuntimeError(f"remount of {path} failed: {done.stderr.strip()}")


def fill(path: Path, leave_bytes: int = 0) -> Path:
    """A file filling ``path``'s filesystem up to ``leave_bytes`` of free space."""
    filler = path / "filler.bin"
    block = b"\0" * 4096
    with open(filler, "ab") as handle:
        try:
            while _free_bytes(path) > leave_bytes:
                handle.write(block)
                handle.flush()
        except OSError:
            pass  # full
    return filler


def _free_bytes(path: Path) -> int:
    stat = os.statvfs(path)
    return stat.f_bavail * stat.f_frsize
