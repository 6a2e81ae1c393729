"""A biquad cascade that keeps its state between blocks, for streaming analysis.

Each second-order section runs in direct form I: its recursion has one multiply-add on
the critical path per sample (direct form II transposed has three), and both channels of
a stereo block run in the same loop, so the cascade is several times faster than
``scipy.signal.sosfilt`` on long material. Feeding a track block by block gives the same
samples as filtering it in one call (to float64 rounding, ~1e-13 of full scale).
"""

from __future__ import annotations

import numpy as np
from numba import njit


@njit(cache=True, nogil=True)
def _section_stereo(planar, sos, s, state):  # pragma: no cover - compiled
    b0, b1, b2, a1, a2 = sos[s, 0], sos[s, 1], sos[s, 2], sos[s, 4], sos[s, 5]
    lx1, lx2, ly1, ly2 = state[s, 0, 0], state[s, 0, 1], state[s, 0, 2], state[s, 0, 3]
    rx1, rx2, ry1, ry2 = state[s, 1, 0], state[s, 1, 1], state[s, 1, 2], state[s, 1, 3]
    for n in range(planar.shape[1]):
        xl = planar[0, n]
        xr = planar[1, n]
        yl = b0 * xl + b1 * lx1 + b2 * lx2 - a2 * ly2 - a1 * ly1
        yr = b0 * xr + b1 * rx1 + b2 * rx2 - a2 * ry2 - a1 * ry1
        lx2, lx1, ly2, ly1 = lx1, xl, ly1, yl
        rx2, rx1, ry2, ry1 = rx1, xr, ry1, yr
        planar[0, n] = yl
        planar[1, n] = yr
    state[s, 0, 0], state[s, 0, 1], state[s, 0, 2], state[s, 0, 3] = lx1, lx2, ly1, ly2
    state[s, 1, 0], state[s, 1, 1], state[s, 1, 2], state[s, 1, 3] = rx1, rx2, ry1, ry2


@njit(cache=True, nogil=True)
def _section_mono(row, sos, s, state, c):  # pragma: no cover - compiled
    b0, b1, b2, a1, a2 = sos[s, 0], sos[s, 1], sos[s, 2], sos[s, 4], sos[s, 5]
    x1, x2, y1, y2 = state[s, c, 0], state[s, c, 1], state[s, c, 2], state[s, c, 3]
    for n in range(row.shape[0]):
        x = row[n]
        y = b0 * x + b1 * x1 + b2 * x2 - a2 * y2 - a1 * y1
        x2, x1, y2, y1 = x1, x, y1, y
        row[n] = y
    state[s, c, 0], state[s, c, 1], state[s, c, 2], state[s, c, 3] = x1, x2, y1, y2


@njit(cache=True, nogil=True)
def _cascade(planar, sos, state):  # pragma: no cover - compiled
    for s in range(sos.shape[0]):
        if planar.shape[0] == 2:
            _section_stereo(planar, sos, s, state)
        else:
            for c in range(planar.shape[0]):
                _section_mono(planar[c], sos, s, state, c)


def planar_copy(block: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    """A C-contiguous float64 ``(channels, frames)`` copy of ``(frames, channels)`` (or
    mono ``(frames,)``) audio, for filters that work in place: into ``out`` if given
    (and of that shape), else a new array. int16 samples are scaled by 1/32768 (exactly
    the float decode of a 16-bit file)."""
    block = np.asarray(block)
    if block.ndim == 1:
        block = block[:, np.newaxis]
    if out is None or out.shape != (block.shape[1], block.shape[0]):
        out = np.empty((block.shape[1], block.shape[0]))
    _transpose(block, 1.0 / 32768.0 if block.dtype == np.int16 else 1.0, out)
    return out


@njit(cache=True, nogil=True)
def _transpose(block, scale, out):  # pragma: no cover - compiled
    for n in range(block.shape[0]):
        for c in range(block.shape[1]):
            out[c, n] = block[n, c] * scale


class BiquadCascade:
    """Second-order sections ``sos`` (rows ``[b0, b1, b2, 1, a1, a2]``) applied to
    consecutive planar blocks, starting from rest."""

    def __init__(self, sos: np.ndarray | None, channels: int) -> None:
        rows = np.zeros((0, 6)) if sos is None else np.asarray(sos, dtype=np.float64)
        self.sos = np.ascontiguousarray(rows)
        self.state = np.zeros((self.sos.shape[0], channels, 4))

    def process(self, planar: np.ndarray) -> np.ndarray:
        """Filter C-contiguous float64 ``(channels, frames)`` in place; returns it."""
        if self.sos.shape[0] and planar.shape[1]:
            _cascade(planar, self.sos, self.state)
        return planar
