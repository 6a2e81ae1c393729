"""The true-peak envelope of a track fed block by block.

The 4x interpolator of :mod:`.limiter` reads 9 frames before and 10 after each frame, so
the stream keeps those frames of context between blocks and hands out each frame's
envelope once the 10 frames after it have arrived (zeros stand for the audio before the
first frame and after the last, exactly as in a whole-track pass).
"""

from __future__ import annotations

import numpy as np

from .limiter import true_peak_envelope_planar

BEFORE = 9  # context frames the interpolator reads before a frame
AFTER = 10  # and after it


class TruePeakStream:
    """Per-frame true peak of consecutive planar blocks, lagging the input by 10 frames."""

    def __init__(self, channels: int) -> None:
        self._tail = np.zeros((channels, BEFORE))  # context, then frames not yet measured

    def push(self, planar: np.ndarray) -> np.ndarray:
        """Add float64 ``(channels, frames)``; returns the envelope of the next frames
        whose context is complete (in order, none repeated)."""
        extended = np.concatenate((self._tail, planar), axis=1)
        keep = min(extended.shape[1], BEFORE + AFTER)
        self._tail = extended[:, extended.shape[1] - keep :]
        return self._measure(extended)

    def finish(self) -> np.ndarray:
        """The envelope of the last (up to 10) frames, with silence after them."""
        extended = np.concatenate((self._tail, np.zeros((self._tail.shape[0], AFTER))), axis=1)
        self._tail = self._tail[:, :0]
        return self._measure(extended)

    @staticmethod
    def _measure(extended: np.ndarray) -> np.ndarray:
        stop = extended.shape[1] - AFTER
        if stop <= BEFORE:
            return np.zeros(0)
        return true_peak_envelope_planar(np.ascontiguousarray(extended))[BEFORE:stop]
