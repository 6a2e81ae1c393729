"""release_free_memory gives freed heap pages back: RSS of a subprocess drops after it."""

from __future__ import annotations

import subprocess
import sys

import pytest

PROGRAM = """
import numpy as np
from masterstream.service.allocator import release_free_memory

def rss_mb():
    for line in open("/proc/self/status"):
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024

first = np.ones(1 << 20)  # 8 MB, its own mapping; freeing it raises glibc's mmap threshold
del first
blocks = [np.ones(1 << 17) for _ in range(300)]  # 300 x 1 MB, now from the heap
keep = blocks[-1]  # the last block stays: the freed ones are not at the heap's top
del blocks
before = rss_mb()
trimmed = release_free_memory()
print(trimmed, before, rss_mb())
"""


def test_free_heap_pages_are_returned() -> None:
    if not sys.platform.startswith("linux"):
        pytest.skip("malloc_trim is glibc's")
    done = subprocess.run([sys.executable, "-c", PROGRAM], capture_output=True, text=True,
                          check=True)  # fmt: skip
    trimmed, before, after = done.stdout.split()
    assert trimmed == "True"
    assert float(before) - float(after) > 200, done.stdout
