"""RBJ "Audio EQ Cookbook" biquads as second-order sections, and the K-weighting filter.

Every design returns a ``(1, 6)`` SOS row ``[b0, b1, b2, 1, a1, a2]`` normalised by
``a0``; a chain of bands stacks rows and runs once through :func:`scipy.signal.sosfilt`
along the frame axis, vectorised over channels.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from functools import lru_cache

import numpy as np

FILTER_KINDS = ("low_shelf", "high_shelf", "peak", "highpass", "lowpass")


@dataclass(frozen=True, slots=True)
class EqBand:
    """One EQ band: ``kind`` in :data:`FILTER_KINDS`, centre/corner, gain (shelves, peaks), Q."""

    kind: str
    frequency_hz: float
    gain_db: float = 0.0
    q: float = 0.7071067811865476

    def to_dict(self) -> dict[str, float | str]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> EqBand:
        return cls(str(data["kind"]), float(data["frequency_hz"]), float(data["gain_db"]),
                   float(data["q"]))  # fmt: skip


def biquad_sos(band: EqBand, sample_rate: int) -> np.ndarray:
    """The SOS row of one RBJ biquad at ``sample_rate``."""
    if band.kind not in FILTER_KINDS:
        raise ValueError(f"unknown filter kind {band.kind!r}; valid: {', '.join(FILTER_KINDS)}")
    # Keep the corner below Nyquist so a preset designed at 44.1 kHz works at any rate.
    freq = min(band.frequency_hz, 0.45 * sample_rate)
    w0 = 2.0 * math.pi * freq / sample_rate
    cos_w0, sin_w0 = math.cos(w0), math.sin(w0)
    alpha = sin_w0 / (2.0 * band.q)
    a = 10.0 ** (band.gain_db / 40.0)
    if band.kind == "peak":
        b = (1 + alpha * a, -2 * cos_w0, 1 - alpha * a)
        den = (1 + alpha / a, -2 * cos_w0, 1 - alpha / a)
    elif band.kind in ("low_shelf", "high_shelf"):
        sq = 2.0 * math.sqrt(a) * alpha
        sign = 1.0 if band.kind == "low_shelf" else -1.0
        b = (
            a * ((a + 1) - sign * (a - 1) * cos_w0 + sq),
            sign * 2 * a * ((a - 1) - sign * (a + 1) * cos_w0),
            a * ((a + 1) - sign * (a - 1) * cos_w0 - sq),
        )
        den = (
            (a + 1) + sign * (a - 1) * cos_w0 + sq,
            -sign * 2 * ((a - 1) + sign * (a + 1) * cos_w0),
            (a + 1) + sign * (a - 1) * cos_w0 - sq,
        )
    elif band.kind == "highpass":
        b = ((1 + cos_w0) / 2, -(1 + cos_w0), (1 + cos_w0) / 2)
        den = (1 + alpha, -2 * cos_w0, 1 - alpha)
    else:  # lowpass
        b = ((1 - cos_w0) / 2, 1 - cos_w0, (1 - cos_w0) / 2)
        den = (1 + alpha, -2 * cos_w0, 1 - alpha)
    a0 = den[0]
    return np.array([[b[0] / a0, b[1] / a0, b[2] / a0, 1.0, den[1] / a0, den[2] / a0]])


@lru_cache(maxsize=256)
def _chain_sos_cached(bands: tuple[EqBand, ...], sample_rate: int) -> np.ndarray:
    return np.vstack([biquad_sos(band, sample_rate) for band in bands])


def chain_sos(bands: tuple[EqBand, ...], sample_rate: int) -> np.ndarray | None:
    """All ``bands`` stacked as one SOS array (None for an empty chain); designs are memoised."""
    return _chain_sos_cached(tuple(bands), int(sample_rate)).copy() if bands else None


def apply_sos(sos: np.ndarray | None, audio: np.ndarray) -> np.ndarray:
    """Filter ``audio`` (frames, channels) along frames from a zero state (float64 result)."""
    if sos is None:
        return np.asarray(audio, dtype=np.float64)
    from scipy import signal  # on first use: a plan loads without scipy.signal

    return signal.sosfilt(sos, audio, axis=0)


# ITU-R BS.1770 K-weighting (pre-filter shelf + RLB high-pass), as the RBJ designs
# pyloudnorm uses, so our short-term meter and pyloudnorm's integrated meter agree.
K_WEIGHTING = (
    EqBand("high_shelf", 1500.0, 4.0, 1.0 / math.sqrt(2.0)),
    EqBand("highpass", 38.0, 0.0, 0.5),
)


def k_weighted(audio: np.ndarray, sample_rate: int) -> np.ndarray:
    """``audio`` (frames, channels) through the K-weighting filter, float64."""
    return apply_sos(chain_sos(K_WEIGHTING, sample_rate), audio)
