"""Every mastered output at intensity > 0 stays under its preset's true-peak ceiling, also
on hot material whose own inter-sample overs the dry part of the blend would carry;
measured independently by ffmpeg's ebur128 (4x oversampled true peak)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from masterstream.mastering import (
    PRESET_NAMES,
    compute_fingerprint,
    get_preset,
    plan_mastering,
    render_track,
)
from masterstream.mastering.limiter import true_peak_dbtp
from tests.audio.lossy_checks import ebur128, needs_ffmpeg

from .material import make_track

SR = 44100
MASTERED = PRESET_NAMES[1:]
INTENSITIES = (0.1, 0.25, 0.5, 0.75, 1.0)
TOLERANCE_DB = 0.1

pytestmark = needs_ffmpeg


@lru_cache(maxsize=1)
def hot_master() -> np.ndarray:
    """A loud, clipped master: 0 dBFS sample peaks and inter-sample overs above 0 dBTP."""
    music = make_track("music", duration_s=8.0).astype(np.float64)
    return np.clip(4.0 * music, -1.0, 1.0).astype(np.float32)


@lru_cache(maxsize=8)
def hot_plan(preset: str):
    audio = hot_master()
    return plan_mastering(preset, compute_fingerprint(audio, SR), audio, SR)


def test_the_material_is_hot() -> None:
    assert true_peak_dbtp(hot_master()) > 1.0


@pytest.mark.parametrize("preset", MASTERED)
def test_true_peak_holds_at_every_intensity(preset: str, tmp_path: Path) -> None:
    ceiling = get_preset(preset).true_peak_dbtp
    peaks = {}
    for intensity in INTENSITIES:
        path = tmp_path / f"{intensity}.wav"
        sf.write(path, render_track(hot_master(), SR, hot_plan(preset), intensity), SR,
                 subtype="FLOAT")  # fmt: skip
        peaks[intensity] = round(ebur128(path)[1], 2)
    assert max(peaks.values()) <= ceiling + TOLERANCE_DB, peaks


@pytest.mark.parametrize("preset", MASTERED)
def test_intensity_zero_stays_the_bit_exact_original(preset: str) -> None:
    np.testing.assert_array_equal(render_track(hot_master(), SR, hot_plan(preset), 0.0),
                                  hot_master())  # fmt: skip
