"""Streaming BS.1770-4 loudness: integrated, short-term and loudness range of a track fed
block by block, in memory that grows by a few floats per 100 ms of audio.

The K-weighting filter carries its state across blocks (:class:`BiquadCascade`), and
an :class:`EnergyTimeline` keeps the running sum of the K-weighted power only where a
400 ms gating block or a 3 s short-term window starts or ends (every 100 ms). Every
window's energy is a difference of two of those sums, so the results are those of
:mod:`.loudness` on the whole track (to float64 rounding).
"""

from __future__ import annotations

import numpy as np
from numba import njit

from .buffers import BlockBuffers
from .cascade import BiquadCascade
from .filters import K_WEIGHTING, chain_sos
from .loudness import (
    GATING_BLOCK_S,
    GATING_STEP_S,
    SHORT_TERM_HOP_S,
    SHORT_TERM_S,
    gated_loudness,
    gating_block_count,
    loudness_range_lu,
    to_lufs,
)


@njit(cache=True, nogil=True)
def channel_power(planar, out):  # pragma: no cover - compiled
    """``out``: per-frame sum over channels of the squared samples of ``(channels, frames)``."""
    out[:] = 0.0
    for c in range(planar.shape[0]):
        for n in range(planar.shape[1]):
            out[n] += planar[c, n] * planar[c, n]
    return out


class EnergyTimeline:
    """Running sum of a per-frame power, recorded at every frame ``i * hop + offset``.

    ``energy(starts, length)`` is then the energy of any windows ``[start, start + length)``
    whose ends fall on recorded frames; frames past the end of the track count as zero.
    """

    def __init__(self, hop: int, offsets: tuple[int, ...] = (0,)) -> None:
        self.hop = hop
        self.residues = sorted({offset % hop for offset in offsets})
        self._values: dict[int, list[np.ndarray]] = {r: [] for r in self.residues}
        self._next = dict.fromkeys(self.residues, 0)  # next index i to record, per residue
        self.frames = 0
        self.total = 0.0
        if 0 in self._values:
            self._values[0].append(np.zeros(1))
            self._next[0] = 1

    def add(self, power: np.ndarray) -> None:
        """Append the power of the next ``power.size`` frames."""
        start, stop = self.frames, self.frames + power.size
        picks = {}
        for r in self.residues:
            first, last = self._next[r], (stop - r) // self.hop  # i*hop + r in (start, stop]
            if last >= first:
                picks[r] = np.arange(first, last + 1) * self.hop + r - start
                self._next[r] = last + 1
        # sums between consecutive recorded positions (one vectorised pass), then running
        cuts = np.unique(np.concatenate([np.zeros(1, dtype=np.int64), *picks.values()]))
        cuts = cuts[cuts < power.size]
        sums = np.add.reduceat(power, cuts) if power.size else np.zeros(0)
        running = self.total + np.cumsum(sums)  # running[j]: sum up to the next cut
        ends = np.append(cuts[1:], power.size)
        for r, positions in picks.items():
            self._values[r].append(running[np.searchsorted(ends, positions)])
        self.frames = stop
        self.total = float(running[-1]) if power.size else self.total

    def cumulative(self, positions: np.ndarray) -> np.ndarray:
        """Running sum up to each of ``positions`` (which must be recorded ones)."""
        positions = np.asarray(positions, dtype=np.int64)
        out = np.full(positions.shape, self.total)
        inside = positions <= self.frames
        residues = positions % self.hop
        for r in self.residues:
            values = np.concatenate(self._values[r]) if self._values[r] else np.zeros(0)
            self._values[r] = [values]
            pick = inside & (residues == r)
            out[pick] = values[positions[pick] // self.hop]
        return out

    def energy(self, starts: np.ndarray, length: int) -> np.ndarray:
        """Energy of each window ``[start, start + length)``."""
        return self.cumulative(starts + length) - self.cumulative(starts)


class LoudnessMeter:
    """BS.1770-4 meter over consecutive planar blocks of one track."""

    def __init__(self, sample_rate: int, channels: int) -> None:
        self.sample_rate = sample_rate
        self.filter = BiquadCascade(chain_sos(K_WEIGHTING, sample_rate), channels)
        self.hop = round(GATING_STEP_S * sample_rate)
        self.window = round(GATING_BLOCK_S * sample_rate)
        self.short_window = round(SHORT_TERM_S * sample_rate)
        self.short_hop = round(SHORT_TERM_HOP_S * sample_rate)
        if self.short_hop != self.hop:
            raise ValueError("short-term and gating steps must be equal")
        self.timeline = EnergyTimeline(self.hop, (0, self.window, self.short_window))
        self._buffers = BlockBuffers()

    def add(self, planar: np.ndarray, *, overwrite: bool = False) -> None:
        """Measure float64 ``(channels, frames)`` (K-weighted in place with ``overwrite``)."""
        if not overwrite:
            planar = np.array(planar, dtype=np.float64, order="C")
        weighted = self.filter.process(planar)
        self.timeline.add(channel_power(weighted, self._buffers.get("power", planar.shape[1:])))

    @property
    def frames(self) -> int:
        return self.timeline.frames

    def block_mean_squares(self) -> np.ndarray:
        """The K-weighted mean square of every 400 ms gating block (every 100 ms)."""
        count = gating_block_count(self.frames, self.sample_rate)
        starts = np.arange(count) * self.hop
        return self.timeline.energy(starts, self.window) / self.window

    def integrated_lufs(self) -> float:
        """Gated integrated loudness (LUFS, -inf if silent)."""
        return gated_loudness(self.block_mean_squares())

    def short_term_lufs(self) -> np.ndarray:
        """Short-term loudness every 100 ms; one value for a track shorter than 3 s."""
        if self.frames <= self.short_window:
            return to_lufs(np.array([self.timeline.total / max(self.frames, 1)]))
        starts = np.arange((self.frames - self.short_window) // self.hop + 1) * self.hop
        return to_lufs(self.timeline.energy(starts, self.short_window) / self.short_window)

    def loudness_range_lu(self) -> float:
        return loudness_range_lu(self.short_term_lufs())
