"""Feed-forward compressor: stereo-linked RMS or peak detector, soft knee, attack/release.

The whole detector (level, static curve, gain smoothing) is one sequential loop compiled
with numba. Every recursion in it is a contraction towards the signal, so two runs that
start from different states converge within a few release time constants — which is what
lets a chunk rendered with pre-roll match the single-pass render of its track.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass

import numpy as np
from numba import njit

DETECTORS = ("rms", "peak")
_LEVEL_FLOOR_DB = -150.0


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


@njit(cache=True, nogil=True)
def _compressor_gain(
    audio, use_rms, rms_coeff, attack_coeff, release_coeff, threshold_db, slope, knee_db, makeup_db
):  # pragma: no cover - compiled
    """Per-frame (linear gain, gain reduction dB)."""
    frames, channels = audio.shape
    gain = np.empty(frames)
    out = np.empty(frames)
    db_to_ln = math.log(10.0) / 20.0
    power = 0.0
    reduction = 0.0
    half_knee = 0.5 * knee_db
    for n in range(frames):
        if use_rms:
            inst = 0.0
            for c in range(channels):
                inst += audio[n, c] * audio[n, c]
            inst /= channels
            power = rms_coeff * power + (1.0 - rms_coeff) * inst
            level = 10.0 * math.log10(power) if power > 1e-15 else -150.0
        else:
            peak = 0.0
            for c in range(channels):
                peak = max(peak, abs(audio[n, c]))
            level = 20.0 * math.log10(peak) if peak > 1e-15 else -150.0
        over = level - threshold_db
        if over <= -half_knee:
            target = 0.0
        elif over >= half_knee:
            target = slope * over
        else:
            target = slope * (over + half_knee) ** 2 / (2.0 * knee_db)
        if target > reduction:
            reduction = attack_coeff * reduction + (1.0 - attack_coeff) * target
        else:
            reduction = release_coeff * reduction + (1.0 - release_coeff) * target
        out[n] = reduction
        gain[n] = math.exp((makeup_db - reduction) * db_to_ln)
    return gain, out


def compressor_gain(
    audio: np.ndarray, sample_rate: int, params: CompressorParams
) -> tuple[np.ndarray, np.ndarray]:
    """Per-frame linear gain (makeup included) and gain reduction (dB, >= 0) for ``audio``."""
    return _compressor_gain(
        np.ascontiguousarray(audio, dtype=np.float64),
        params.detector == "rms",
        time_coefficient(params.rms_window_ms, sample_rate),
        time_coefficient(params.attack_ms, sample_rate),
        time_coefficient(params.release_ms, sample_rate),
        float(params.threshold_dbfs),
        1.0 - 1.0 / params.ratio,
        max(float(params.knee_db), 1e-9),
        float(params.makeup_db),
    )


def compress(audio: np.ndarray, sample_rate: int, params: CompressorParams) -> np.ndarray:
    """``audio`` (float64, frames x channels) through the compressor, makeup included."""
    gain, _ = compressor_gain(audio, sample_rate, params)
    return audio * gain[:, np.newaxis]
