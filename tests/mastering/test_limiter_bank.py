"""The limiter bank's loudness curve against the frame-rate limiter, gain by gain."""

from __future__ import annotations

import numpy as np
import pytest

from masterstream.mastering.calibration import group_frames
from masterstream.mastering.limiter import LimiterParams, gain_from_peaks, true_peak_envelope
from masterstream.mastering.limiter_bank import LimiterBank
from masterstream.mastering.loudness import (
    gating_block_count,
    integrated_from_power,
    k_weighted_power,
)

from .material import make_track

SR = 44100
STEP = 4410
LIMITER = LimiterParams(ceiling_dbtp=-1.3)
GAINS_DB = np.arange(-2.0, 14.0, 0.5)


def bank_loudness(audio: np.ndarray, group: int):
    power, peak = k_weighted_power(audio, SR), true_peak_envelope(audio)
    pad = -power.size % group
    power, peak = np.pad(power, (0, pad)), np.pad(peak, (0, pad))
    bank = LimiterBank(GAINS_DB, LIMITER, SR, group, STEP)
    energy, highest = power.reshape(-1, group).sum(1), peak.reshape(-1, group).max(1)
    for start in range(0, energy.size, 5000):  # fed in pieces, as a stream
        bank.feed(energy[start : start + 5000], highest[start : start + 5000])
    return bank.finish(gating_block_count(audio.shape[0], SR))


def frame_rate_loudness(audio: np.ndarray, gain_db: float) -> float:
    power, peak = k_weighted_power(audio, SR), true_peak_envelope(audio)
    linear = 10.0 ** (gain_db / 20.0)
    gain = linear * gain_from_peaks(peak, SR, LIMITER, input_gain=linear)
    return integrated_from_power(power, SR, gain)


@pytest.mark.parametrize(
    ("kind", "group", "tolerance_lu"),
    [("music", 1, 0.001), ("music", 7, 0.03), ("crushed", 7, 0.03), ("quiet_dynamic", 7, 0.03)],
)
def test_bank_follows_the_frame_rate_limiter(kind: str, group: int, tolerance_lu: float) -> None:
    audio = make_track(kind, SR, 12.0)
    measured = bank_loudness(audio, group)
    for gain_db, lufs in list(zip(measured.gains_db, measured.lufs, strict=True))[::4]:
        assert lufs == pytest.approx(frame_rate_loudness(audio, gain_db), abs=tolerance_lu)
    assert np.all(np.diff(measured.lufs) > 0)  # more gain is always louder
    ceiling = 10.0 ** (LIMITER.ceiling_dbtp / 20.0)
    acts = 10.0 ** (GAINS_DB / 20.0) * true_peak_envelope(audio).max() > ceiling
    np.testing.assert_array_equal(measured.limited, acts)
    unlimited = integrated_from_power(k_weighted_power(audio, SR), SR)
    assert measured.unlimited_lufs == pytest.approx(unlimited, abs=0.01)


def test_group_sizes_divide_a_step_and_stay_short() -> None:
    for rate in (8000, 11025, 22050, 44100, 48000, 88200, 96000, 192000):
        step = round(0.1 * rate)
        group = group_frames(step, rate)
        assert step % group == 0 and 1 <= group <= max(1, round(rate / 6000))
    assert group_frames(4410, 44100) == 7
