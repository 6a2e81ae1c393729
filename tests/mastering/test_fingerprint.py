"""Fingerprint fields exist, are documented, round-trip, and read known signals right."""

from __future__ import annotations

import dataclasses
import json
import math

import numpy as np
import pytest

from masterstream.mastering import FINGERPRINT_FIELDS, Fingerprint, compute_fingerprint

from .material import KINDS, make_track

SR = 44100


def tone(frequency_hz: float, duration_s: float = 4.0, amplitude: float = 0.5) -> np.ndarray:
    t = np.arange(round(duration_s * SR)) / SR
    return (amplitude * np.sin(2 * np.pi * frequency_hz * t))[:, None]


def click_track(bpm: float, duration_s: float = 20.0) -> np.ndarray:
    audio = np.zeros((round(duration_s * SR), 1))
    click = np.hanning(200) * 0.8
    for start in np.arange(0.0, duration_s - 0.01, 60.0 / bpm):
        audio[round(start * SR) : round(start * SR) + 200, 0] += click
    return audio


def test_fields_are_documented_and_round_trip_through_json() -> None:
    names = [f.name for f in dataclasses.fields(Fingerprint)]
    assert names == list(FINGERPRINT_FIELDS)
    assert len(names) >= 25
    assert all(unit and meaning for unit, meaning in FINGERPRINT_FIELDS.values())
    fingerprint = compute_fingerprint(make_track("music"), SR)
    restored = Fingerprint.from_dict(json.loads(json.dumps(fingerprint.to_dict())))
    assert restored == fingerprint
    with pytest.raises(ValueError, match="missing"):
        Fingerprint.from_dict({"duration_s": 1.0})


@pytest.mark.parametrize("kind", KINDS)
def test_every_field_is_finite_and_in_range(kind: str) -> None:
    fp = compute_fingerprint(make_track(kind), SR)
    assert all(math.isfinite(v) for v in fp.to_dict().values())
    bands = [v for k, v in fp.to_dict().items() if k.startswith("band_")]
    assert len(bands) == 7
    assert sum(bands) == pytest.approx(1.0, abs=0.01)
    assert 0 <= fp.silence_ratio <= 1 and 0 <= fp.stereo_width <= 1
    assert -1 <= fp.phase_correlation <= 1 and 0 <= fp.spectral_flatness <= 1
    assert fp.true_peak_dbtp >= fp.sample_peak_dbfs - 0.01
    assert fp.duration_s == pytest.approx(20.0)


@pytest.mark.parametrize("frames", [SR, 0])
def test_silence_and_empty_audio_give_floor_values_not_infinities(frames: int) -> None:
    fp = compute_fingerprint(np.zeros((frames, 2), dtype=np.float32), SR)
    assert fp.integrated_lufs == -70.0 and fp.silence_ratio == 1.0
    assert fp.duration_s == frames / SR
    assert all(math.isfinite(v) for v in fp.to_dict().values())


@pytest.mark.parametrize("frequency_hz", [440.0, 1000.0, 5000.0])
def test_sine_centroid_and_rolloff_sit_at_its_frequency(frequency_hz: float) -> None:
    fp = compute_fingerprint(tone(frequency_hz), SR)
    assert fp.spectral_centroid_hz == pytest.approx(frequency_hz, rel=0.03)
    assert fp.spectral_rolloff_hz == pytest.approx(frequency_hz, rel=0.05)
    assert fp.spectral_flatness < 0.01
    assert fp.crest_factor_db == pytest.approx(3.01, abs=0.05)


def test_white_noise_is_flat_with_a_rising_tilt() -> None:
    noise = np.random.default_rng(1).standard_normal((4 * SR, 1)) * 0.1
    fp = compute_fingerprint(noise, SR)
    assert fp.spectral_flatness > 0.4
    assert fp.spectral_tilt_db_per_octave == pytest.approx(3.0, abs=0.3)  # energy per 1/3 oct


def test_half_silent_file_has_silence_ratio_one_half() -> None:
    audio = np.vstack([tone(440.0, 3.0), np.zeros((3 * SR, 1))])
    assert compute_fingerprint(audio, SR).silence_ratio == pytest.approx(0.5, abs=0.02)


def test_stereo_image_of_mono_identical_and_inverted_channels() -> None:
    mono = tone(440.0)
    for audio in (mono, np.hstack([mono, mono])):
        fp = compute_fingerprint(audio, SR)
        assert fp.stereo_width == 0.0 and fp.phase_correlation == pytest.approx(1.0)
    inverted = compute_fingerprint(np.hstack([mono, -mono]), SR)
    assert inverted.phase_correlation == pytest.approx(-1.0)
    assert inverted.stereo_width == pytest.approx(1.0)


@pytest.mark.parametrize("bpm", [90.0, 120.0, 140.0])
def test_tempo_of_a_click_track(bpm: float) -> None:
    fp = compute_fingerprint(click_track(bpm), SR)
    assert fp.tempo_bpm == pytest.approx(bpm, abs=2.0)
    assert fp.transient_density_per_s == pytest.approx(bpm / 60.0, rel=0.1)


def test_tempo_of_the_groove_and_no_tempo_for_a_drone() -> None:
    assert compute_fingerprint(make_track("music"), SR).tempo_bpm == pytest.approx(120, abs=2)
    assert compute_fingerprint(tone(440.0), SR).tempo_bpm == 0.0


def test_contrasting_material_reads_as_it_was_made() -> None:
    fp = {kind: compute_fingerprint(make_track(kind), SR) for kind in KINDS}
    assert fp["bass_heavy"].low_end_ratio > fp["music"].low_end_ratio > fp["thin"].low_end_ratio
    assert fp["thin"].spectral_centroid_hz > 3 * fp["bass_heavy"].spectral_centroid_hz
    assert fp["thin"].spectral_tilt_db_per_octave > fp["bass_heavy"].spectral_tilt_db_per_octave
    assert fp["crushed"].crest_factor_db < fp["music"].crest_factor_db - 6.0
    assert fp["crushed"].integrated_lufs > fp["music"].integrated_lufs + 6.0
    assert fp["quiet_dynamic"].loudness_range_lu > fp["crushed"].loudness_range_lu + 5.0
    assert fp["quiet_dynamic"].integrated_lufs < fp["music"].integrated_lufs - 5.0
