"""Calibration lands on the same gain wherever its first grid falls."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pytest

from masterstream.mastering.calibration import (
    GAIN_LIMIT_DB,
    GRID_BELOW_DB,
    calibrate,
    calibrate_many,
)

from .material import make_plan, make_track

SR = 44100


class Blocks:
    """The track's blocks, counting the passes made over them."""

    def __init__(self, audio: np.ndarray) -> None:
        self.audio, self.passes = audio, 0

    def __call__(self) -> Iterator[np.ndarray]:
        self.passes += 1
        return (self.audio[s : s + 65536] for s in range(0, self.audio.shape[0], 65536))


@pytest.mark.parametrize(("preset", "kind"), [("adaptive", "music"), ("punchy", "crushed")])
@pytest.mark.parametrize("guess_error_db", [-30.0, -15.0, 15.0, 30.0])
def test_a_wrong_first_guess_costs_passes_not_accuracy(
    preset: str, kind: str, guess_error_db: float
) -> None:
    fingerprint, plan = make_plan(preset, kind)
    blocks = Blocks(make_track(kind))
    gain, lufs = calibrate(plan, blocks, SR, 2, fingerprint.integrated_lufs + guess_error_db)
    assert gain == pytest.approx(plan.gain_db, abs=0.01)
    assert lufs == pytest.approx(plan.target_lufs, abs=0.01)
    assert 2 <= blocks.passes <= 4


def test_below_the_grid_without_limiting_the_gain_is_exact() -> None:
    _, plan = make_plan("gentle", "quiet_dynamic")  # its master never limits
    blocks = Blocks(make_track("quiet_dynamic"))
    reference = plan.target_lufs - (plan.gain_db + 0.4 + GRID_BELOW_DB)  # grid from gain + 0.4
    gain, lufs = calibrate(plan, blocks, SR, 2, reference)
    assert blocks.passes == 1
    assert gain == pytest.approx(plan.gain_db, abs=0.01) and lufs == plan.target_lufs


def test_silence_gets_no_gain() -> None:
    _, plan = make_plan("adaptive")
    silence = np.zeros((SR * 2, 2), dtype=np.float32)
    assert calibrate(plan, Blocks(silence), SR, 2, -70.0) == (0.0, -70.0)


def test_a_very_quiet_track_gets_the_gain_limit_and_one_under_the_gate_none() -> None:
    _, plan = make_plan("adaptive")
    quiet = make_track("music") * np.float32(10 ** (-44 / 20))  # about -62 LUFS
    gain, lufs = calibrate(plan, Blocks(quiet), SR, 2, -62.0)
    assert gain == GAIN_LIMIT_DB and lufs < plan.target_lufs
    whisper = make_track("music") * np.float32(1e-5)  # under the -70 LUFS gate: silence
    assert calibrate(plan, Blocks(whisper), SR, 2, -70.0) == (0.0, -70.0)


def test_plans_calibrated_together_share_passes_and_get_their_own_gains() -> None:
    """One pass over the track serves every plan; a plan whose first grid missed costs
    further passes for itself only, and each gain is the one calibrated alone."""
    audio = make_track("music")
    cases = [("adaptive", 0.0), ("punchy", 0.0), ("warm", 30.0), ("bright", 0.0)]
    plans = []
    for preset, guess_error_db in cases:
        fingerprint, plan = make_plan(preset, "music")
        plans.append((plan, fingerprint.integrated_lufs + guess_error_db))
    blocks = Blocks(audio)
    together = calibrate_many(plans, blocks, SR, 2)
    alone = [calibrate(plan, Blocks(audio), SR, 2, reference) for plan, reference in plans]
    assert together == alone
    assert 2 <= blocks.passes <= 4  # not one pass per plan: warm's grid moved, no other's
    for (plan, _), (gain, lufs) in zip(plans, together, strict=True):
        assert gain == pytest.approx(plan.gain_db, abs=0.01)
        assert lufs == pytest.approx(plan.target_lufs, abs=0.01)
