"""True-peak limiter: never over the ceiling, transparent below it, latency-compensated."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import signal

from masterstream.mastering.limiter import LimiterParams, limit, limiter_gain, true_peak_dbtp

from .material import make_track

SR = 44100


def reference_true_peak_dbtp(audio: np.ndarray) -> float:
    """Independent 4x oversampled meter (scipy's polyphase resampler)."""
    return float(20 * np.log10(np.max(np.abs(signal.resample_poly(audio, 4, 1, axis=0)))))


def test_meter_finds_intersample_peaks() -> None:
    t = np.arange(SR) / SR
    # fs/4 sine sampled 45 degrees off its crests: samples reach only 0.707
    audio = np.sin(2 * np.pi * (SR / 4) * t + np.pi / 4)[:, None] * 0.9
    sample_peak_db = 20 * np.log10(np.abs(audio).max())
    assert sample_peak_db == pytest.approx(20 * np.log10(0.9 * np.sqrt(0.5)), abs=0.01)
    # the interpolator's passband ripple may overshoot slightly (safe side), never undershoot
    assert 20 * np.log10(0.9) - 0.02 <= true_peak_dbtp(audio) <= 20 * np.log10(0.9) + 0.15


@pytest.mark.parametrize("drive_db", [6.0, 18.0])
def test_output_stays_under_the_ceiling(drive_db: float) -> None:
    audio = np.asarray(make_track("music"), dtype=np.float64) * 10 ** (drive_db / 20)
    limited = limit(audio, SR, LimiterParams(ceiling_dbtp=-1.3))
    assert true_peak_dbtp(limited) <= -1.3 + 0.01
    assert reference_true_peak_dbtp(limited) <= -1.0


def test_audio_under_the_ceiling_passes_unchanged() -> None:
    audio = np.asarray(make_track("music"), dtype=np.float64) * 0.5
    np.testing.assert_allclose(limit(audio, SR, LimiterParams(-1.0)), audio, rtol=0, atol=1e-12)


def test_gain_is_down_exactly_when_the_peak_arrives() -> None:
    audio = np.full((SR, 1), 0.1)
    spike = SR // 2
    audio[spike] = 1.0
    params = LimiterParams(ceiling_dbtp=-6.0, lookahead_ms=5.0, release_ms=50.0)
    gain = limiter_gain(audio, SR, params)
    lookahead = round(0.005 * SR)
    assert audio[spike, 0] * gain[spike] <= 10 ** (-6 / 20) + 1e-9
    # the interpolator sees the spike 10 frames early; nothing happens before that + look-ahead
    assert gain[spike - lookahead - 12] == pytest.approx(1.0)
    assert gain[spike - lookahead // 2] < 1.0  # ramping down ahead of the peak
    assert np.argmin(gain) == pytest.approx(spike, abs=2)
