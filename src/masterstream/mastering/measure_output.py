"""The mastered output of a track measured as it is streamed: integrated loudness, loudness
range, true peak and crest factor, rendered chunk by chunk through the real render path.

Memory holds one chunk's render and the meters' few floats per 100 ms, never the track.
The figures are defined as the fingerprint defines them for the original (crest factor:
sample peak over the RMS of all samples and channels), so before and after compare.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from .fingerprint import DB_FLOOR, LUFS_FLOOR
from .fingerprint import _db as power_db
from .loudness_meter import LoudnessMeter
from .peaks import TruePeakStream
from .render import render_chunk

if TYPE_CHECKING:
    from ..audio.chunks import ChunkGeometry
    from .plan_model import MasteringPlan


@dataclass(frozen=True, slots=True)
class OutputFigures:
    """Loudness figures of one rendered output (finite floats, floors for silence)."""

    integrated_lufs: float
    loudness_range_lu: float
    true_peak_dbtp: float
    crest_factor_db: float

    def to_dict(self) -> dict[str, float]:
        return asdict(self)


class OutputMeter:
    """Measures consecutive ``(frames, channels)`` blocks of one output."""

    def __init__(self, sample_rate: int, channels: int) -> None:
        self.channels = channels
        self.loudness = LoudnessMeter(sample_rate, channels)
        self.true_peak = TruePeakStream(channels)
        self.frames = 0
        self.peak = 0.0
        self.envelope_peak = 0.0
        self.energy = 0.0  # sum of squared samples over all channels

    def add(self, block: np.ndarray) -> None:
        """Measure the next float ``(frames, channels)`` block."""
        block = np.asarray(block)
        if block.ndim != 2 or block.shape[1] != self.channels:
            raise ValueError(f"expected (frames, {self.channels}) audio, got {block.shape}")
        if block.shape[0] == 0:
            return
        planar = np.ascontiguousarray(block.T, dtype=np.float64)
        self.frames += planar.shape[1]
        self.peak = max(self.peak, float(np.max(np.abs(planar))))
        self.energy += float(np.einsum("ij,ij->", planar, planar))
        envelope = self.true_peak.push(planar, floor=self.peak)
        self.envelope_peak = max(self.envelope_peak, float(np.max(envelope, initial=0.0)))
        self.loudness.add(planar, overwrite=True)  # last: it K-weights in place

    def result(self) -> OutputFigures:
        """The figures of everything added (call once, after the last block)."""
        if self.frames == 0:
            return OutputFigures(LUFS_FLOOR, 0.0, DB_FLOOR, 0.0)
        last = self.true_peak.finish(floor=self.peak)
        envelope = max(self.envelope_peak, float(np.max(last, initial=0.0)))
        sample_peak_db = 20.0 * math.log10(self.peak) if self.peak > 0 else DB_FLOOR
        rms_db = power_db(self.energy / (self.frames * self.channels))
        return OutputFigures(
            integrated_lufs=max(self.loudness.integrated_lufs(), LUFS_FLOOR),
            loudness_range_lu=self.loudness.loudness_range_lu(),
            true_peak_dbtp=power_db(envelope**2),
            crest_factor_db=sample_peak_db - rms_db if self.peak > 0 else 0.0,
        )


def measure_output(
    path: str | Path, geometry: ChunkGeometry, plan: MasteringPlan, intensity: float,
    channels: int,
) -> OutputFigures:  # fmt: skip
    """The figures of ``path`` mastered with ``plan`` at ``intensity``, every chunk rendered
    as a listener receives it and measured in order."""
    meter = OutputMeter(geometry.sample_rate, channels)
    for chunk_index in range(geometry.chunk_count):
        meter.add(render_chunk(path, geometry, chunk_index, plan, intensity))
    return meter.result()
