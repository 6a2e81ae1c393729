"""Dynamics stage: the compressor's static curve, makeup and timing; the transient shaper."""

from __future__ import annotations

import numpy as np
import pytest

from masterstream.mastering.compressor import CompressorParams
from masterstream.mastering.dynamics import compress, compressor_gain, shape_transients
from masterstream.mastering.transients import TransientParams

SR = 44100


def tone(amplitude: float, duration_s: float = 1.0, channels: int = 2) -> np.ndarray:
    t = np.arange(round(duration_s * SR)) / SR
    return np.repeat((amplitude * np.sin(2 * np.pi * 440 * t))[:, None], channels, axis=1)


@pytest.mark.parametrize("ratio", [2.0, 4.0])
def test_steady_tone_above_threshold_is_reduced_by_the_static_curve(ratio: float) -> None:
    params = CompressorParams(-30.0, ratio, attack_ms=5.0, release_ms=50.0, knee_db=0.0)
    audio = tone(0.5)  # RMS level: 20*log10(0.5) - 3.01 = -9.03 dBFS
    _, reduction = compressor_gain(audio, SR, params)
    over_db = 20 * np.log10(0.5) - 10 * np.log10(2) + 30.0
    assert np.median(reduction[SR // 2 :]) == pytest.approx(over_db * (1 - 1 / ratio), abs=0.2)


def test_below_threshold_is_untouched_and_makeup_is_applied() -> None:
    audio = tone(0.01)
    quiet = CompressorParams(-20.0, 4.0, attack_ms=5.0, release_ms=50.0)
    np.testing.assert_array_equal(compress(audio, SR, quiet), audio)
    makeup = CompressorParams(-20.0, 4.0, attack_ms=5.0, release_ms=50.0, makeup_db=6.0)
    np.testing.assert_allclose(compress(audio, SR, makeup), audio * 10 ** (6 / 20), rtol=1e-12)


def test_attack_is_faster_than_release() -> None:
    params = CompressorParams(-30.0, 4.0, attack_ms=5.0, release_ms=200.0, knee_db=0.0)
    audio = np.vstack([tone(0.5, 0.5), tone(0.001, 0.5)])
    _, reduction = compressor_gain(audio, SR, params)
    settled = reduction[SR // 2 - 1]
    attack_frames = int(np.argmax(reduction > 0.63 * settled))
    release_frames = int(np.argmax(reduction[SR // 2 :] < 0.37 * settled))
    assert attack_frames < 0.05 * SR < release_frames


def test_invalid_parameters_are_rejected() -> None:
    with pytest.raises(ValueError):
        CompressorParams(-20.0, 0.5, 10.0, 100.0)
    with pytest.raises(ValueError):
        CompressorParams(-20.0, 2.0, 10.0, 100.0, detector="psychic")


def test_peak_detector_reacts_to_peaks() -> None:
    params = CompressorParams(-12.0, 4.0, 1.0, 50.0, knee_db=0.0, detector="peak")
    _, reduction = compressor_gain(tone(0.5), SR, params)
    over_db = 20 * np.log10(0.5) + 12.0
    assert reduction[SR // 2 :].max() == pytest.approx(over_db * 0.75, abs=0.3)


def test_transient_shaper_boosts_attacks_more_than_sustain() -> None:
    params = TransientParams(amount=0.8, max_boost_db=6.0)
    hit = np.vstack([np.zeros((SR // 2, 2)), tone(0.3, 1.0)])
    shaped = shape_transients(hit, SR, params)

    def boost_db(span: slice) -> float:
        return float(10 * np.log10(np.sum(shaped[span] ** 2) / np.sum(hit[span] ** 2)))

    onset = boost_db(slice(SR // 2, SR // 2 + int(0.02 * SR)))
    sustain = boost_db(slice(SR, SR + SR // 2))
    assert onset > sustain + 1.0
    assert onset <= 6.0 + 1e-9 and sustain < 1.0
