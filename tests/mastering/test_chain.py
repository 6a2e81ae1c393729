"""The chain meets its targets at intensity 1, and the presets sound as named (measured)."""

from __future__ import annotations

import dataclasses

import numpy as np
import pyloudnorm
import pytest
from scipy import signal

from masterstream.errors import InvalidIntensityError, RenderError
from masterstream.mastering import PRESET_NAMES, compute_fingerprint, master_window, render_track

from .material import BPM, KINDS, make_plan, make_track

SR = 44100
MASTERED = PRESET_NAMES[1:]


def rendered(preset: str, intensity: float = 1.0) -> np.ndarray:
    _, plan = make_plan(preset)
    return render_track(make_track("music"), SR, plan, intensity)


def attack_to_sustain_db(audio: np.ndarray) -> float:
    """Median over beats of power in the first 30 ms after a beat vs the 60–400 ms after it."""
    power = np.mean(np.asarray(audio, dtype=np.float64) ** 2, axis=1)
    beat = round(60.0 / BPM * SR)
    attack, sustain = (0, int(0.03 * SR)), (int(0.06 * SR), int(0.4 * SR))
    ratios = [
        10 * np.log10(power[s + attack[0] : s + attack[1]].mean()
                      / power[s + sustain[0] : s + sustain[1]].mean())
        for s in range(8 * beat, power.size - beat, beat)
    ]  # fmt: skip
    return float(np.median(ratios))


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("preset", MASTERED)
def test_loudness_and_true_peak_meet_the_preset(preset: str, kind: str) -> None:
    """Typical music and every contrasting kind land on target, under the ceiling."""
    _, plan = make_plan(preset, kind)
    out = render_track(make_track(kind), SR, plan, 1.0).astype(np.float64)
    loudness = pyloudnorm.Meter(SR).integrated_loudness(out)
    assert loudness == pytest.approx(plan.target_lufs, abs=0.5)
    assert loudness == pytest.approx(plan.calibrated_lufs, abs=0.1)  # calibration is honest
    true_peak = 20 * np.log10(np.max(np.abs(signal.resample_poly(out, 4, 1, axis=0))))
    assert true_peak <= plan.true_peak_dbtp


def test_bright_and_warm_tilt_the_spectrum_their_way() -> None:
    original = compute_fingerprint(make_track("music"), SR)
    bright = compute_fingerprint(rendered("bright"), SR)
    warm = compute_fingerprint(rendered("warm"), SR)
    assert bright.spectral_centroid_hz > 1.3 * original.spectral_centroid_hz
    assert bright.spectral_tilt_db_per_octave > original.spectral_tilt_db_per_octave + 0.4
    assert warm.spectral_centroid_hz < 0.8 * original.spectral_centroid_hz
    assert warm.spectral_tilt_db_per_octave < original.spectral_tilt_db_per_octave - 0.4
    assert warm.low_end_ratio > original.low_end_ratio > bright.low_end_ratio


def test_punchy_has_the_strongest_attacks() -> None:
    punchy = attack_to_sustain_db(rendered("punchy"))
    others = {p: attack_to_sustain_db(rendered(p)) for p in MASTERED if p != "punchy"}
    assert punchy > max(others.values()) + 0.25, others
    assert punchy > attack_to_sustain_db(make_track("music")) + 0.25


@pytest.mark.parametrize("preset", PRESET_NAMES)
def test_intensity_zero_is_the_original_exactly(preset: str) -> None:
    music = make_track("music")
    np.testing.assert_array_equal(rendered(preset, 0.0), music)


def test_original_preset_is_a_bit_exact_passthrough() -> None:
    out = rendered("original", 1.0)
    assert out.dtype == np.float32
    np.testing.assert_array_equal(out, make_track("music"))


def test_intensity_blends_linearly_before_the_limiter() -> None:
    """Without a limiter the output is exactly the linear blend of original and master
    (with one, the limiter acts on that blend: see test_intensity_peak)."""
    _, plan = make_plan("warm")
    unlimited = dataclasses.replace(plan, limiter=None)
    music = make_track("music")
    full = render_track(music, SR, unlimited, 1.0).astype(np.float64)
    part = render_track(music, SR, unlimited, 0.3).astype(np.float64)
    np.testing.assert_allclose(part, 0.7 * music.astype(np.float64) + 0.3 * full, atol=1e-6)


def test_window_arguments_are_validated() -> None:
    _, plan = make_plan("gentle")
    music = make_track("music")
    with pytest.raises(RenderError, match="outside"):
        master_window(music[:1000], SR, plan, 1.0, 900, 200)
    with pytest.raises(InvalidIntensityError):
        master_window(music[:1000], SR, plan, 1.5, 0, 1000)
    with pytest.raises(RenderError, match="shape"):
        master_window(music[:1000, 0], SR, plan, 1.0, 0, 1000)
