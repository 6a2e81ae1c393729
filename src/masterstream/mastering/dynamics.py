"""The dynamics stage: compressor and (optional) transient shaper in one compiled loop.

Per frame: a stereo-linked detector (RMS via one-pole mean-square smoothing, or peak),
the compressor's soft-knee static curve, attack/release smoothing of the gain reduction,
then — when a shaper is configured — fast and slow power followers of the *compressed*
signal whose difference boosts attacks. The combined gain is applied in place. Every
recursion is a contracting one-pole filter, so the stage forgets its initial state within
a few release times (what lets chunks rendered with pre-roll match a single pass).
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from .compressor import CompressorParams, time_coefficient
from .limiter import as_planar
from .transients import TransientParams

STATE_SIZE = 6  # detector power, gain reduction, shaper followers, compressor update


@njit(cache=True, nogil=True)
def _dynamics(audio, apply, comp, use_rms, shaper, shape, state, stride):  # pragma: no cover
    # comp = (rms_c, attack_c, release_c, threshold_db, slope, knee_db, makeup_db), the
    #   attack and release coefficients per compressor update (every `stride` frames)
    # shape = (fast_attack_c, fast_release_c, slow_attack_c, slow_release_c, amount, max_boost)
    # state = (power, reduction, fast, slow, frames to the next compressor update, its gain):
    #   read at the start, written back at the end
    channels, frames = audio.shape
    reduction_out = np.empty(frames)
    rms_c, attack_c, release_c, threshold_db, slope, knee_db, makeup_db = comp
    fast_a, fast_r, slow_a, slow_r, amount, max_boost_db = shape
    half_knee = 0.5 * knee_db
    db_to_ln = math.log(10.0) / 20.0
    # below this detector value the static curve is flat: skip the logarithm
    quiet = math.exp((threshold_db - half_knee) * db_to_ln * (2.0 if use_rms else 1.0))
    max_boost = math.exp(max_boost_db * db_to_ln)
    half_amount = 0.5 * amount
    power = state[0]
    reduction = state[1]
    fast = state[2]
    slow = state[3]
    countdown = int(state[4])
    compressor_gain = state[5]
    held_peak = 0.0
    for n in range(frames):
        inst = 0.0
        peak = 0.0
        for c in range(channels):
            v = audio[c, n]
            inst += v * v
            if not use_rms:
                peak = max(peak, abs(v))
        inst /= channels
        if use_rms:
            power = rms_c * power + (1.0 - rms_c) * inst
        else:
            held_peak = max(held_peak, peak)
        countdown -= 1
        if countdown <= 0:  # every frame when rendering (stride 1)
            countdown = stride
            detector = power if use_rms else held_peak
            held_peak = 0.0
            target = 0.0
            if detector > quiet:
                if use_rms:
                    over = 10.0 * math.log10(detector) - threshold_db
                else:
                    over = 20.0 * math.log10(detector) - threshold_db
                if over >= half_knee:
                    target = slope * over
                else:
                    target = slope * (over + half_knee) ** 2 / (2.0 * knee_db)
            coeff = attack_c if target > reduction else release_c
            reduction = coeff * reduction + (1.0 - coeff) * target
            gain_db = makeup_db - reduction
            compressor_gain = math.exp(gain_db * db_to_ln) if gain_db != 0.0 else 1.0
        gain = compressor_gain
        if shaper:
            shaped_power = inst * gain * gain
            coeff = fast_a if shaped_power > fast else fast_r
            fast = coeff * fast + (1.0 - coeff) * shaped_power
            coeff = slow_a if shaped_power > slow else slow_r
            slow = coeff * slow + (1.0 - coeff) * shaped_power
            if fast > slow and slow > 1e-12:
                # boost grows with the fast-over-slow power ratio (no transcendental call:
                # 1 + amount/2 * (ratio - 1) matches ratio^(amount/2) near ratio 1), capped
                gain *= min(1.0 + half_amount * (fast / slow - 1.0), max_boost)
        reduction_out[n] = reduction
        if apply:
            for c in range(channels):
                audio[c, n] *= gain
    state[0] = power
    state[1] = reduction
    state[2] = fast
    state[3] = slow
    state[4] = countdown
    state[5] = compressor_gain
    return reduction_out


def run_dynamics(
    audio: np.ndarray,
    sample_rate: int,
    compressor: CompressorParams,
    transients: TransientParams | None = None,
    *,
    apply: bool = True,
    state: np.ndarray | None = None,
    stride: int = 1,
) -> np.ndarray:
    """Compress (and shape) planar float64 ``(channels, frames)`` audio in place when
    ``apply``; returns the compressor's gain reduction per frame (dB, >= 0).

    Starts from rest, or from ``state`` (a float64 array of :data:`STATE_SIZE`, updated in
    place) so consecutive blocks of a track are processed as one. ``stride`` > 1 updates
    the compressor's gain every ``stride`` frames only (held in between; the detector and
    the shaper still run every frame): for analysis, where a few frames of lag in a gain
    that moves over milliseconds cost nothing; rendering uses 1."""
    comp = (
        time_coefficient(compressor.rms_window_ms, sample_rate),
        time_coefficient(compressor.attack_ms, sample_rate) ** stride,
        time_coefficient(compressor.release_ms, sample_rate) ** stride,
        float(compressor.threshold_dbfs),
        1.0 - 1.0 / compressor.ratio,
        max(float(compressor.knee_db), 1e-9),
        float(compressor.makeup_db),
    )
    t = transients or TransientParams()
    shape = (
        time_coefficient(t.fast_attack_ms, sample_rate),
        time_coefficient(t.fast_release_ms, sample_rate),
        time_coefficient(t.slow_attack_ms, sample_rate),
        time_coefficient(t.slow_release_ms, sample_rate),
        float(t.amount),
        float(t.max_boost_db),
    )
    if state is None:
        state = np.zeros(STATE_SIZE)
    use_rms, shaper = compressor.detector == "rms", transients is not None
    return _dynamics(audio, apply, comp, use_rms, shaper, shape, state, stride)


def compressor_gain(
    audio: np.ndarray, sample_rate: int, params: CompressorParams
) -> tuple[np.ndarray, np.ndarray]:
    """Per-frame linear gain (makeup included) and gain reduction (dB, >= 0) for ``audio``."""
    reduction = run_dynamics(as_planar(audio), sample_rate, params, apply=False)
    return np.power(10.0, (params.makeup_db - reduction) / 20.0), reduction


def compress(audio: np.ndarray, sample_rate: int, params: CompressorParams) -> np.ndarray:
    """A compressed copy of ``audio`` (float64, frames x channels), makeup included."""
    planar = as_planar(audio)
    run_dynamics(planar, sample_rate, params)
    return planar.T


def shape_transients(audio: np.ndarray, sample_rate: int, params: TransientParams) -> np.ndarray:
    """A copy of ``audio`` (float64, frames x channels) with its attacks emphasised."""
    planar = as_planar(audio)
    unity = CompressorParams(threshold_dbfs=1000.0, ratio=1.0, attack_ms=1.0, release_ms=1.0)
    run_dynamics(planar, sample_rate, unity, params)
    return planar.T
