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

from .limiter import PEAK_BOUND_FACTOR, true_peak_envelope_planar

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
        extended = np.concatenate((self._tail, planar), axis=1)
        keep = min(extended.shape[1], BEFORE + AFTER)
        self._tail = extended[:, extended.shape[1] - keep :]
        return self._measure(extended, floor)

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
        if floor < 0.0:
            return true_peak_envelope_planar(np.ascontiguousarray(extended))[BEFORE:-AFTER]
        magnitude = np.abs(extended).max(axis=0)
        envelope = magnitude[BEFORE:-AFTER].copy()
        for start in range(0, frames, TILE_FRAMES):
            stop = min(start + TILE_FRAMES, frames)  # extended[start : stop + 19] in reach
            if PEAK_BOUND_FACTOR * magnitude[start : stop + BEFORE + AFTER].max() > floor:
                reach = np.ascontiguousarray(extended[:, start : stop + BEFORE + AFTER])
                envelope[start:stop] = true_peak_envelope_planar(reach)[BEFORE:-AFTER]
        return envelope
