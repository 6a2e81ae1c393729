"""Giving the C allocator's free memory back to the system when rendering pauses.

The decode and DSP buffers of a render or an analysis (a few MB each) mostly come from
glibc's heap and per-thread arenas once its dynamic mmap threshold has grown, and their
pages stay in RSS after they are freed. :func:`release_free_memory` (``malloc_trim``)
returns them. Measured on the cold-burst bench (bench/results/cold_burst*.md), trimming
after the library scan's analysis brought the idle server from 364 to 306 MB.

Pinning the mmap threshold instead (every buffer of 256 KiB or more in a mapping of its
own) also lowered the burst's peak, 413 -> 373 MB, but cost 60 % more CPU per render
(75-85 ms against 45-55 ms: each fresh mapping page-faults), so it is not done.
Does nothing where the C library is not glibc.
"""

from __future__ import annotations

import ctypes
import functools
import sys


@functools.cache
def _glibc() -> ctypes.CDLL | None:
    if not sys.platform.startswith("linux"):
        return None
    try:
        libc = ctypes.CDLL("libc.so.6")
        libc.malloc_trim.argtypes = (ctypes.c_size_t,)
    except (OSError, AttributeError):
        return None  # not glibc (musl has no malloc_trim)
    return libc


def release_free_memory() -> bool:
    """Give free heap pages of every arena back to the system; True if any were."""
    libc = _glibc()
    return libc is not None and libc.malloc_trim(0) == 1
