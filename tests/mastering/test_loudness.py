"""Our BS.1770 meter agrees with pyloudnorm; LRA and short-term loudness behave."""

from __future__ import annotations

import math

import numpy as np
import pyloudnorm
import pytest

from masterstream.mastering.loudness import (
    integrated_lufs,
    k_weighted_power,
    loudness_range_lu,
    short_term_lufs,
)

from .material import make_track


@pytest.mark.parametrize(
    ("kind", "sample_rate", "channels"),
    [("music", 44100, 2), ("quiet_dynamic", 48000, 1), ("thin", 96000, 2)],
)
def test_integrated_loudness_matches_pyloudnorm(kind: str, sample_rate: int, channels: int) -> None:
    audio = make_track(kind, sample_rate, 8.0, channels)
    expected = pyloudnorm.Meter(sample_rate).integrated_loudness(audio.astype(np.float64))
    assert integrated_lufs(audio, sample_rate) == pytest.approx(expected, abs=0.05)


def test_silence_has_no_loudness() -> None:
    assert integrated_lufs(np.zeros((44100, 2)), 44100) == -math.inf


def test_loudness_range_separates_dynamic_from_crushed() -> None:
    def lra(kind: str) -> float:
        power = k_weighted_power(make_track(kind), 44100)
        return loudness_range_lu(short_term_lufs(power, 44100))

    assert lra("quiet_dynamic") > lra("crushed") + 5.0


def test_short_term_loudness_of_a_steady_tone_is_flat() -> None:
    t = np.arange(10 * 44100) / 44100
    audio = 0.25 * np.sin(2 * np.pi * 1000 * t)[:, None]
    values = short_term_lufs(k_weighted_power(audio, 44100), 44100)
    assert values.size == 71
    assert np.ptp(values) < 0.01
    assert loudness_range_lu(values) < 0.01
