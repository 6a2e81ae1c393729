"""The streaming loudness meter equals the whole-track one (and so pyloudnorm)."""

from __future__ import annotations

import numpy as np
import pytest

from masterstream.mastering.loudness import (
    integrated_from_power,
    k_weighted_power,
    loudness_range_lu,
    short_term_lufs,
)
from masterstream.mastering.loudness_meter import EnergyTimeline, LoudnessMeter

from .material import make_track


def material(kind: str, sample_rate: int, channels: int) -> np.ndarray:
    if kind == "noise":  # the groove's filters need a higher rate than 11025 Hz
        return np.random.default_rng(2).standard_normal((9 * sample_rate, channels)) * 0.1
    return make_track(kind, sample_rate, 9.0, channels)


@pytest.mark.parametrize(
    ("kind", "sample_rate", "channels", "block_frames"),
    [("music", 44100, 2, 65536), ("quiet_dynamic", 48000, 1, 333), ("noise", 11025, 2, 4096)],
)
def test_meter_fed_in_blocks_equals_the_whole_track(
    kind: str, sample_rate: int, channels: int, block_frames: int
) -> None:
    audio = material(kind, sample_rate, channels)
    power = k_weighted_power(audio, sample_rate)
    meter = LoudnessMeter(sample_rate, channels)
    for start in range(0, audio.shape[0], block_frames):
        meter.add(np.ascontiguousarray(audio[start : start + block_frames].T, dtype=np.float64))
    assert meter.integrated_lufs() == pytest.approx(
        integrated_from_power(power, sample_rate), abs=1e-9
    )
    np.testing.assert_allclose(
        meter.short_term_lufs(), short_term_lufs(power, sample_rate), atol=1e-9
    )
    assert meter.loudness_range_lu() == pytest.approx(
        loudness_range_lu(short_term_lufs(power, sample_rate)), abs=1e-9
    )


@pytest.mark.parametrize("block_frames", [1, 7, 100, 1000])
def test_energy_timeline_gives_any_recorded_window(block_frames: int) -> None:
    power = np.random.default_rng(5).random(2345)
    timeline = EnergyTimeline(100, (0, 250, 37))
    for start in range(0, power.size, block_frames):
        timeline.add(power[start : start + block_frames])
    starts = np.arange(0, 2400, 100)
    for length in (250, 37, 300):
        expected = [power[s : s + length].sum() for s in starts]
        np.testing.assert_allclose(timeline.energy(starts, length), expected, rtol=1e-12)
