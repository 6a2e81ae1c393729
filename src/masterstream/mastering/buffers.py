"""Scratch arrays reused from block to block by the streaming meters.

A fresh array of half a megabyte or more is mapped anew by the allocator and page-faults
on first touch, on every block; on a long track that costs more than some of the DSP.
Reusing one array per role (same shape every block but the last) costs nothing. Callers
must not keep a scratch array past the block it was taken for.
"""

from __future__ import annotations

import numpy as np


class BlockBuffers:
    """float64 scratch arrays by role, reallocated only when the shape changes."""

    def __init__(self) -> None:
        self._arrays: dict[str, np.ndarray] = {}

    def get(self, role: str, shape: tuple[int, ...]) -> np.ndarray:
        """An uninitialised array of ``shape`` for ``role`` (the same one as last time)."""
        array = self._arrays.get(role)
        if array is None or array.shape != shape:
            array = self._arrays[role] = np.empty(shape)
        return array
