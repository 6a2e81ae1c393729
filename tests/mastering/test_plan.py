"""Per-track plans: adaptive decisions from the fingerprint, calibration, serialisation."""

from __future__ import annotations

import json
import pickle

import numpy as np
import pytest

from masterstream.errors import RenderError, UnknownPresetError
from masterstream.mastering import (
    PRESET_NAMES,
    MasteringPlan,
    compute_fingerprint,
    master_window,
    plan_mastering,
    render_track,
)
from masterstream.mastering.chain import pre_gain
from masterstream.mastering.dynamics import compressor_gain

from .material import make_plan, make_track

SR = 44100


def shelf_gain_db(plan: MasteringPlan, kind: str) -> float:
    return next(band.gain_db for band in plan.eq if band.kind == kind)


def mean_gain_reduction_db(kind: str) -> float:
    _, plan = make_plan("adaptive", kind)
    audio = make_track(kind)
    no_compressor = MasteringPlan(plan.preset, plan.sample_rate, False, eq=plan.eq)
    _, reduction = compressor_gain(pre_gain(audio, SR, no_compressor), SR, plan.compressor)
    return float(np.mean(reduction))


def test_adaptive_gives_a_bass_heavy_track_less_bass_than_a_thin_one() -> None:
    _, heavy = make_plan("adaptive", "bass_heavy")
    _, thin = make_plan("adaptive", "thin")
    assert shelf_gain_db(heavy, "low_shelf") < shelf_gain_db(thin, "low_shelf") - 2.0
    assert shelf_gain_db(heavy, "low_shelf") <= 0.0 < shelf_gain_db(thin, "low_shelf")
    assert shelf_gain_db(heavy, "high_shelf") > shelf_gain_db(thin, "high_shelf")


def test_adaptive_compresses_a_crushed_track_less_than_a_dynamic_one() -> None:
    _, crushed = make_plan("adaptive", "crushed")
    _, dynamic = make_plan("adaptive", "quiet_dynamic")
    assert crushed.compressor.ratio < dynamic.compressor.ratio - 1.0
    assert mean_gain_reduction_db("crushed") < 0.5 * mean_gain_reduction_db("quiet_dynamic")


def test_fixed_presets_keep_their_settings_across_tracks() -> None:
    _, a = make_plan("warm", "bass_heavy")
    _, b = make_plan("warm", "thin")
    assert a.eq == b.eq and a.compressor.ratio == b.compressor.ratio
    assert a.compressor.threshold_dbfs != b.compressor.threshold_dbfs  # relative to loudness


@pytest.mark.parametrize("preset", PRESET_NAMES[1:])
def test_calibration_lands_on_the_target(preset: str) -> None:
    _, plan = make_plan(preset)
    assert plan.calibrated_lufs == pytest.approx(plan.target_lufs, abs=0.1)


@pytest.mark.parametrize("preset", ["original", "adaptive", "punchy"])
def test_plans_round_trip_through_json_and_pickle(preset: str) -> None:
    _, plan = make_plan(preset)
    assert MasteringPlan.from_dict(json.loads(json.dumps(plan.to_dict()))) == plan
    assert pickle.loads(pickle.dumps(plan)) == plan


def test_original_plan_is_a_passthrough_without_gain() -> None:
    _, plan = make_plan("original")
    assert plan.passthrough and plan.gain_db == 0.0 and plan.eq == ()
    empty = np.zeros((0, 2), dtype=np.float32)  # original needs no audio to plan
    assert plan_mastering("original", compute_fingerprint(empty, SR), empty, SR) == plan


def test_unknown_preset_and_mismatched_rate_are_errors() -> None:
    fingerprint, plan = make_plan("gentle")
    with pytest.raises(UnknownPresetError):
        plan_mastering("nope", fingerprint, make_track("music"), SR)
    audio = make_track("music", 48000, 4.0)
    with pytest.raises(RenderError, match="44100"):
        master_window(audio, 48000, plan, 1.0, 0, audio.shape[0])


@pytest.mark.parametrize("frames", [44100 * 3, 5000])
def test_silent_and_very_short_tracks_plan_and_render(frames: int) -> None:
    silence = np.zeros((frames, 2), dtype=np.float32)
    fingerprint = compute_fingerprint(silence, SR)
    plan = plan_mastering("adaptive", fingerprint, silence, SR)
    assert plan.gain_db == 0.0
    np.testing.assert_array_equal(render_track(silence, SR, plan, 1.0), silence)
    blip = silence.copy()
    blip[frames // 2] = 0.5
    loud_plan = plan_mastering("punchy", compute_fingerprint(blip, SR), blip, SR)
    assert np.all(np.isfinite(render_track(blip, SR, loud_plan, 1.0)))
