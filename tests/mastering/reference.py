"""The whole-track analysis as it was before it streamed, kept as the oracle.

``reference_fingerprint`` holds the track (several float64 copies of it) and measures it
in one go; ``reference_gain`` runs the chain over the whole track and searches the
loudness gain with secant steps on per-frame arrays. The streaming analysis in
``masterstream.mastering`` is held to these within stated tolerances.
"""

from __future__ import annotations

import math

import numpy as np
from scipy import fft

from masterstream.mastering import chain, fingerprint, spectrum
from masterstream.mastering.calibration import GAIN_LIMIT_DB
from masterstream.mastering.limiter import (
    as_planar,
    gain_from_peaks,
    true_peak_envelope_planar,
)
from masterstream.mastering.loudness import (
    integrated_from_power,
    k_weighted_power,
    loudness_range_lu,
    short_term_lufs,
)
from masterstream.mastering.plan import MasteringPlan


def _stft(mono: np.ndarray, sample_rate: int):
    n_fft = spectrum._frame_size(sample_rate)
    hop = n_fft // 2
    padded = np.concatenate((np.zeros(n_fft // 2), mono, np.zeros(n_fft))).astype(np.float32)
    n_frames = max(1, 1 + (mono.shape[0] - 1) // hop)
    frames = np.lib.stride_tricks.sliding_window_view(padded, n_fft)[::hop][:n_frames]
    edges = spectrum._band_edges(n_fft, sample_rate)
    power = fft.rfft(frames * np.hanning(n_fft).astype(np.float32), axis=1)
    power = power.real**2 + power.imag**2
    widths = np.diff(edges).astype(np.float32)
    bands = np.add.reduceat(power[:, : edges[-1]], edges[:-1], axis=1) / widths
    arithmetic = bands.mean(axis=1, dtype=np.float64)
    loud = arithmetic > spectrum._SILENT_FRAME_POWER
    geometric = np.exp(np.log(bands[loud] + np.float32(1e-20)).mean(axis=1, dtype=np.float64))
    flatness = min(float(np.mean(geometric / arithmetic[loud])), 1.0) if np.any(loud) else 0.0
    compressed = np.log1p(np.float32(1000.0) * np.sqrt(bands))
    before = np.vstack((compressed[:1], compressed[:-1]))
    flux = np.maximum(compressed - before, 0).sum(axis=1).astype(np.float64)
    stats = spectrum._stats(power.sum(axis=0, dtype=np.float64), flatness, flux, n_fft,
                            sample_rate, mono.shape[0])  # fmt: skip
    return stats


def reference_fingerprint(audio: np.ndarray, sample_rate: int) -> dict[str, float]:
    """Every fingerprint field of ``audio`` (frames, channels), measured all at once."""
    planar = as_planar(audio)
    channels = planar.shape[0]
    power = k_weighted_power(planar.T, sample_rate)
    integrated = max(integrated_from_power(power, sample_rate), fingerprint.LUFS_FLOOR)
    short_term = short_term_lufs(power, sample_rate)
    peak = max(float(planar.max()), -float(planar.min()))
    sample_peak = 20.0 * math.log10(peak) if peak > 0 else fingerprint.DB_FLOOR
    true_peak = 20.0 * math.log10(float(true_peak_envelope_planar(planar).max()))
    frame_power = np.einsum("ij,ij->j", planar, planar) / channels
    rms = 10.0 * math.log10(float(frame_power.mean()))
    block = round(0.1 * sample_rate)
    count = max(1, frame_power.size // block)
    usable = frame_power[: count * block] if frame_power.size >= block else frame_power
    silence = float(np.mean(usable.reshape(count, -1).mean(axis=1) < 1e-6))
    spec = _stft(planar.mean(axis=0), sample_rate)
    if channels >= 2:
        left, right = planar[0], planar[1]
        width, correlation = fingerprint._stereo(
            float(np.dot(left, left)), float(np.dot(right, right)), float(np.dot(left, right))
        )
    else:
        width, correlation = 0.0, 1.0
    return {
        "duration_s": planar.shape[1] / sample_rate,
        "integrated_lufs": integrated,
        "loudness_range_lu": loudness_range_lu(short_term),
        "short_term_max_lufs": max(float(np.max(short_term)), fingerprint.LUFS_FLOOR),
        "sample_peak_dbfs": sample_peak,
        "true_peak_dbtp": true_peak,
        "rms_dbfs": rms,
        "crest_factor_db": sample_peak - rms,
        "plr_db": true_peak - integrated,
        **spec.band_ratios,
        "spectral_centroid_hz": spec.centroid_hz,
        "spectral_rolloff_hz": spec.rolloff_hz,
        "spectral_flatness": spec.flatness,
        "spectral_tilt_db_per_octave": spec.tilt_db_per_octave,
        "stereo_width": width,
        "phase_correlation": correlation,
        "tempo_bpm": spec.tempo_bpm,
        "transient_density_per_s": spec.onsets_per_s,
        "silence_ratio": silence,
    }


def reference_gain(audio: np.ndarray, sample_rate: int, plan: MasteringPlan) -> float:
    """The loudness gain (dB) the whole-track calibration finds for ``plan``: the chain's
    output to within 0.05 LU of the target, by secant steps on per-frame arrays."""
    shaped = chain.shaped_planar(audio, sample_rate, plan)
    power = k_weighted_power(shaped.T, sample_rate)
    peak = true_peak_envelope_planar(shaped)

    def loudness_at(gain_db: float) -> float:
        linear = 10.0 ** (gain_db / 20.0)
        gain = linear * gain_from_peaks(peak, sample_rate, plan.limiter, input_gain=linear)
        return integrated_from_power(power, sample_rate, gain)

    target = plan.target_lufs
    gain_db = float(np.clip(target - integrated_from_power(power, sample_rate), -GAIN_LIMIT_DB,
                            GAIN_LIMIT_DB))  # fmt: skip
    previous = None
    for _ in range(12):
        measured = loudness_at(gain_db)
        if abs(target - measured) <= 0.01:
            break
        slope = 1.0
        if previous is not None and gain_db != previous[0]:
            slope = float(np.clip((measured - previous[1]) / (gain_db - previous[0]), 0.2, 1.0))
        previous = (gain_db, measured)
        gain_db = float(np.clip(gain_db + (target - measured) / slope, -GAIN_LIMIT_DB,
                                GAIN_LIMIT_DB))  # fmt: skip
    return gain_db
