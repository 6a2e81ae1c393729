"""Seamless sample-rate conversion of chunks: any span of a track, resampled on its own,
equals the same span of the whole track resampled in one pass.

Output sample ``j`` sits at source time ``j * down / up`` (``up / down`` is the rate ratio
in lowest terms), so the output grid is a property of the track, not of the chunk. A span
is resampled from a window that starts on a source frame divisible by ``down`` (where both
grids meet) and carries :attr:`Resampler.context_frames` of context on each side; frames
outside the track are silence, exactly as in a one-pass conversion. The filter is a Kaiser
FIR, flat to 20 kHz, 90 dB down wherever an image or alias would land in the audible band.
"""

from __future__ import annotations

import math
from functools import cached_property, lru_cache

import numpy as np
from scipy import signal

PASSBAND_HZ = 20000.0
STOPBAND_DB = 90.0


@lru_cache(maxsize=16)
def _kaiser_filter(in_rate: int, out_rate: int, up: int) -> np.ndarray:
    """Anti-imaging/anti-aliasing FIR at the upsampled rate ``in_rate * up``."""
    passband = min(PASSBAND_HZ, 0.45 * min(in_rate, out_rate))
    if out_rate > in_rate and in_rate / 2 >= PASSBAND_HZ:
        stopband = out_rate - passband  # images below out_rate/2 are above the audible band
    else:
        stopband = min(in_rate, out_rate) - passband
    fs = in_rate * up
    beta = 0.1102 * (STOPBAND_DB - 8.7)
    taps = math.ceil((STOPBAND_DB - 7.95) / (2.285 * 2 * math.pi * (stopband - passband) / fs))
    taps |= 1  # odd: symmetric, zero phase once centred
    h = signal.firwin(taps, (passband + stopband) / 2, window=("kaiser", beta), fs=fs)
    return h.astype(np.float32)


class Resampler:
    """Converts spans of one track from ``in_rate`` to ``out_rate`` on the track's grid."""

    def __init__(self, in_rate: int, out_rate: int) -> None:
        if in_rate <= 0 or out_rate <= 0:
            raise ValueError(f"sample rates must be positive, got {in_rate} -> {out_rate}")
        g = math.gcd(in_rate, out_rate)
        self.in_rate, self.out_rate = in_rate, out_rate
        self.up, self.down = out_rate // g, in_rate // g

    @property
    def identity(self) -> bool:
        return self.up == self.down

    @cached_property
    def _filter(self) -> np.ndarray:
        return _kaiser_filter(self.in_rate, self.out_rate, self.up)

    @cached_property
    def context_frames(self) -> int:
        """Source frames of context needed on each side of a span."""
        return 0 if self.identity else (len(self._filter) // 2) // self.up + 2

    def out_index(self, frame: int) -> int:
        """First output sample at or after source frame ``frame``."""
        return -(-frame * self.up // self.down)

    def in_span(self, out_start: int, out_stop: int) -> tuple[int, int]:
        """Source frames ``[start, stop)`` needed for output samples ``[out_start, out_stop)``,
        context included (not clipped to the track)."""
        if self.identity:
            return out_start, out_stop
        first = (out_start * self.down // self.up) - self.context_frames
        start = first // self.down * self.down
        last = -(-(out_stop - 1) * self.down // self.up) + self.context_frames + 1
        return start, max(last, start)

    def convert(
        self, audio: np.ndarray, start_frame: int, total_frames: int, out_start: int, out_stop: int
    ) -> np.ndarray:
        """Output samples ``[out_start, out_stop)`` from ``audio`` (float ``(frames, ch)``,
        track frames ``[start_frame, start_frame + len(audio))``, a track of
        ``total_frames``), as float32 ``(out_stop - out_start, ch)``."""
        need_start, need_stop = self.in_span(out_start, out_stop)
        window = _window(audio, start_frame, total_frames, need_start, need_stop)
        if self.identity:
            return window
        converted = signal.resample_poly(window, self.up, self.down, axis=0, window=self._filter)
        offset = out_start - need_start * self.up // self.down
        return np.ascontiguousarray(converted[offset : offset + out_stop - out_start])


def _window(
    audio: np.ndarray, start_frame: int, total_frames: int, start: int, stop: int
) -> np.ndarray:
    """Track frames ``[start, stop)`` as float32, silence outside the track; raises when
    ``audio`` does not cover the part of the span that lies inside the track."""
    inside_start, inside_stop = max(start, 0), min(stop, total_frames)
    have_stop = start_frame + audio.shape[0]
    if inside_start < inside_stop and (start_frame > inside_start or have_stop < inside_stop):
        raise ValueError(
            f"audio covers frames [{start_frame}, {have_stop}) but frames "
            f"[{inside_start}, {inside_stop}) are needed"
        )
    out = np.zeros((stop - start, audio.shape[1]), dtype=np.float32)
    if inside_start < inside_stop:
        src = audio[inside_start - start_frame : inside_stop - start_frame]
        out[inside_start - start : inside_stop - start] = src
    return out
