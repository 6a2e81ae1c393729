"""The C allocator's hold on freed memory: big buffers kept out of the heap, the rest given
back when rendering pauses.

glibc serves an allocation above its mmap threshold (128 KiB at start) with a mapping of
its own, unmapped on free. But every such free raises the threshold (up to 32 MiB), after
which the decode and DSP buffers of a render or an analysis (a few MB each) come from the
heap and its per-thread arenas, and their pages stay in RSS once freed: measured on the
cold-burst bench, the server idled 58 MB higher after its library scan and peaked 56 MB
higher under a burst (bench/results/cold_burst_*.md). :func:`bound_heap` pins the threshold
(which also stops the dynamic growth); :func:`release_free_memory` returns free heap pages
to the system. Both do nothing where the C library is not glibc.
"""

from __future__ import annotations

import ctypes
import functools
import sys

M_MMAP_THRESHOLD = -3
MMAP_THRESHOLD_BYTES = 256 * 1024
"""Allocations at least this big get their own mapping (a 10 s stereo block is ~3.5 MB)."""


@functools.cache
def _glibc() -> ctypes.CDLL | None:
    if not sys.platform.startswith("linux"):
        return None
    try:
        libc = ctypes.CDLL("libc.so.6")
        libc.mallopt.argtypes = (ctypes.c_int, ctypes.c_int)
        libc.malloc_trim.argtypes = (ctypes.c_size_t,)
    except (OSError, AttributeError):
        return None  # not glibc (musl has neither call)
    return libc


def bound_heap(mmap_threshold_bytes: int = MMAP_THRESHOLD_BYTES) -> bool:
    """Serve allocations of ``mmap_threshold_bytes`` and more from their own mappings, for
    good (process-wide); False where that cannot be set."""
    libc = _glibc()
    return libc is not None and libc.mallopt(M_MMAP_THRESHOLD, mmap_threshold_bytes) == 1


def release_free_memory() -> bool:
    """Give free heap pages of every arena back to the system; True if any were."""
    libc = _glibc()
    return libc is not None and libc.malloc_trim(0) == 1
