"""The true-peak envelope of a track fed block by block.

The 4x interpolator of :mod:`.limiter` reads 9 frames before and 10 after each frame, so
the stream keeps those frames of context between blocks and hands out each frame's
envelope once the 10 frames after it have arrived (zeros stand for the audio before the
first frame and after the last, exactly as in a whole-track pass).

Interpolating is the costly part, and a caller often needs the envelope only where it is
high (the track's maximum, or where a limiter could act): given a ``floor``, stretches of
1024 frames whose samples within reach are all under ``floor / PEAK_BOUND_FACTOR`` cannot
reach ``floor`` and get their sample peaks instead, a lower bound (exact everywhere else).
"""

from __future__ import annotations

import numpy as np
from numba import njit

from .limiter import PEAK_BOUND_FACTOR, PHASES

BEFORE = 9  # context frames the interpolator reads before a frame
AFTER = 10  # and after it
TILE_FRAMES = 1024


class TruePeakStream:
    """Per-frame true peak of consecutive planar blocks, lagging the input by 10 frames."""

    def __init__(self, channels: int) -> None:
        self._tail = np.zeros((channels, BEFORE))  # context, then frames not yet measured

    def push(self, planar: np.ndarray, floor: float = -1.0) -> np.ndarray:
        """Add float64 ``(channels, frames)``; returns the envelope of the next frames whose
        context is complete (in order, none repeated): exact wherever it exceeds ``floor``,
        at most ``floor`` elsewhere."""
        reach = BEFORE + AFTER
        if planar.shape[1] < reach:  # a short block: measure it stitched to the tail
            extended = np.concatenate((self._tail, planar), axis=1)
            self._tail = extended[:, max(0, extended.shape[1] - reach) :]
            return self._measure(extended, floor)
        # the frames around the seam from a small stitched copy, the rest in place
        seam = np.concatenate((self._tail, planar[:, :reach]), axis=1)
        out = np.empty(seam.shape[1] + planar.shape[1] - 2 * reach)
        split = seam.shape[1] - reach
        _envelope(seam, PHASES, floor, PEAK_BOUND_FACTOR, out[:split])
        _envelope(np.ascontiguousarray(planar), PHASES, floor, PEAK_BOUND_FACTOR, out[split:])
        self._tail = planar[:, planar.shape[1] - reach :].copy()
        return out

    def finish(self, floor: float = -1.0) -> np.ndarray:
        """The envelope of the last (up to 10) frames, with silence after them."""
        extended = np.concatenate((self._tail, np.zeros((self._tail.shape[0], AFTER))), axis=1)
        self._tail = self._tail[:, :0]
        return self._measure(extended, floor)

    @staticmethod
    def _measure(extended: np.ndarray, floor: float) -> np.ndarray:
        frames = extended.shape[1] - BEFORE - AFTER
        if frames <= 0:
            return np.zeros(0)
        out = np.empty(frames)
        _envelope(np.ascontiguousarray(extended), PHASES, floor, PEAK_BOUND_FACTOR, out)
        return out


@njit(cache=True, nogil=True, fastmath=True)
def _envelope(extended, phases, floor, bound, out):  # pragma: no cover - compiled
    """``out[n]``: true peak of frame ``n + BEFORE`` of ``extended``, exact in every tile
    whose samples could reach above ``floor`` (all of them when ``floor < 0``)."""
    channels = extended.shape[0]
    frames = out.shape[0]
    p1 = phases[0]
    p2 = phases[1]
    p3 = phases[2]
    out[:] = 0.0
    for start in range(0, frames, TILE_FRAMES):
        stop = min(start + TILE_FRAMES, frames)
        reach = 0.0
        for c in range(channels):
            for i in range(start, stop + BEFORE + AFTER):
                reach = max(reach, abs(extended[c, i]))
        exact = floor < 0.0 or bound * reach > floor
        tile = out[start:stop]
        for c in range(channels):
            row = extended[c, start:]  # zero-based indices: no wraparound checks
            if not exact:
                for n in range(stop - start):
                    tile[n] = max(tile[n], abs(row[n + BEFORE]))
                continue
            for n in range(stop - start):  # the interpolator reads row[n : n + 20]
                a1 = 0.0
                a2 = 0.0
                a3 = 0.0
                for j in range(BEFORE + AFTER + 1):
                    v = row[n + j]
                    a1 += p1[j] * v
                    a2 += p2[j] * v
                    a3 += p3[j] * v
                m = max(abs(row[n + BEFORE]), max(abs(a1), max(abs(a2), abs(a3))))
                if m > tile[n]:
                    tile[n] = m
