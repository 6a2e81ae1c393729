"""Feed-forward compressor settings: stereo-linked RMS or peak detector, soft knee,
attack/release, makeup. The compiled loop that runs them lives in :mod:`.dynamics`, fused
with the transient shaper.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass

DETECTORS = ("rms", "peak")


@dataclass(frozen=True, slots=True)
class CompressorParams:
    """Resolved compressor settings (``threshold_dbfs`` is absolute, fixed per track)."""

    threshold_dbfs: float
    ratio: float
    attack_ms: float
    release_ms: float
    knee_db: float = 6.0
    makeup_db: float = 0.0
    detector: str = "rms"
    rms_window_ms: float = 30.0

    def __post_init__(self) -> None:
        if self.ratio < 1.0:
            raise ValueError(f"compressor ratio must be >= 1, got {self.ratio}")
        if self.detector not in DETECTORS:
            raise ValueError(f"unknown detector {self.detector!r}; valid: {DETECTORS}")
        if min(self.attack_ms, self.release_ms, self.rms_window_ms) <= 0 or self.knee_db < 0:
            raise ValueError("attack, release and rms window must be positive, knee >= 0")

    def to_dict(self) -> dict[str, float | str]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> CompressorParams:
        return cls(**{k: (v if k == "detector" else float(v)) for k, v in data.items()})


def time_coefficient(time_ms: float, sample_rate: int) -> float:
    """One-pole smoothing coefficient reaching 1-1/e of a step in ``time_ms``."""
    return math.exp(-1000.0 / (time_ms * sample_rate))
