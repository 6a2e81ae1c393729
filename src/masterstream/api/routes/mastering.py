"""What a preset does to one track: ``GET /api/tracks/{track_id}/mastering``.

The fingerprint, the chain and the original's figures come from the track's stored
fingerprint and the plan its chunks are rendered with (computed on demand, once, like a
chunk's; in album loudness mode, calibrated to the album). The mastered output's figures
are measured: the first request for a variant starts a background measurement of the whole
rendered output (:mod:`masterstream.service.mastered_figures`) and answers at once with
``measuring: true`` and the plan's estimates (the loudness derived from the calibrated
loudness below intensity 1, the true peak as the limiter's ceiling bound, no loudness range
or crest factor); later requests get the measured figures. ``estimated`` and ``notes`` say
which is which.
"""

from __future__ import annotations

import math
import time
from typing import TYPE_CHECKING, Annotated

import numpy as np
from fastapi import APIRouter, Depends

from ...cache import Lane, Priority
from ...mastering.filters import chain_sos
from ...service.request import Variant
from ..params import TrackIdParam, variant_params
from ..schemas import (
    EqCurvePoint,
    FingerprintView,
    LevelMatch,
    LoudnessFigures,
    MasteringView,
    ToneBand,
)
from ..state import ServerState, get_state

if TYPE_CHECKING:
    from ...mastering import Fingerprint, MasteringPlan
    from ...mastering.measure_output import OutputFigures

router = APIRouter(tags=["tracks"])
CURVE_POINTS = 96
CURVE_RANGE_HZ = (20.0, 20000.0)
NOT_IN_PLAN = "the plan does not hold the mastered loudness range or crest factor"
MEASURING = "the mastered output is being measured: ask again shortly for measured figures"
UNMEASURABLE = "the mastered output could not be measured: figures from the plan"
BLEND_ESTIMATE = (
    "mastered loudness below intensity 1 is derived from the plan's calibrated loudness "
    "(original and master blended in amplitude)"
)
PEAK_BOUND = "mastered true peak is the limiter's ceiling (an upper bound), not a measurement"


def _db(value: float) -> float:
    return 20.0 * math.log10(max(value, 1e-12))


def _gain(db: float) -> float:
    return 10.0 ** (db / 20.0)


def fingerprint_view(fingerprint: Fingerprint) -> FingerprintView:
    """The fingerprint grouped for reading (tonal balance as bands with their edges)."""
    from ...mastering.spectrum import BANDS_HZ  # scipy.fft: loaded by the first view

    data = fingerprint.to_dict()
    bands = [
        ToneBand(name=key.removeprefix("band_").removesuffix("_ratio"), low_hz=low,
                 high_hz=high, share=data[key])
        for key, (low, high) in BANDS_HZ.items()
    ]  # fmt: skip
    fields = set(FingerprintView.model_fields) - {"tonal_balance"}
    return FingerprintView(tonal_balance=bands, **{name: data[name] for name in fields})


def eq_curve(plan: MasteringPlan, intensity: float) -> list[EqCurvePoint]:
    """The plan's EQ magnitude response at log-spaced frequencies, alone and as blended."""
    frequencies = np.geomspace(*CURVE_RANGE_HZ, CURVE_POINTS)
    nyquist = plan.sample_rate / 2.0
    frequencies = frequencies[frequencies < nyquist]
    sos = chain_sos(plan.eq, plan.sample_rate)
    if sos is None:
        response = np.ones(frequencies.shape, dtype=complex)
    else:
        from scipy import signal  # imported by the first view, not at start-up

        _, response = signal.sosfreqz(sos, worN=frequencies, fs=plan.sample_rate)
    blended = (1.0 - intensity) + intensity * response
    return [
        EqCurvePoint(frequency_hz=round(float(f), 2), gain_db=round(_db(abs(h)), 3),
                     blended_gain_db=round(_db(abs(b)), 3))
        for f, h, b in zip(frequencies, response, blended, strict=True)
    ]  # fmt: skip


def mastered_lufs(original_lufs: float, full_lufs: float, intensity: float) -> float:
    """Integrated loudness of ``(1 - i) * original + i * master``, taking the master as the
    original scaled by the loudness difference (exact at 0 and 1)."""
    if intensity >= 1.0:
        return full_lufs
    if intensity <= 0.0:
        return original_lufs
    scale = (1.0 - intensity) + intensity * _gain(full_lufs - original_lufs)
    return original_lufs + _db(scale)


def peak_bound_dbtp(original_dbtp: float | None, ceiling_dbtp: float, intensity: float) -> float:
    """Upper bound of the output's true peak at ``intensity`` > 0: the limiter holds the
    blend under the ceiling, and a quiet original's blend stays under the triangle bound."""
    if original_dbtp is None or intensity >= 1.0:
        return ceiling_dbtp
    blend = _db((1.0 - intensity) * _gain(original_dbtp) + intensity * _gain(ceiling_dbtp))
    return min(blend, ceiling_dbtp)


def _before(fingerprint: Fingerprint | None) -> LoudnessFigures:
    if fingerprint is None:
        return LoudnessFigures(integrated_lufs=None, loudness_range_lu=None,
                               true_peak_dbtp=None, crest_factor_db=None)  # fmt: skip
    return LoudnessFigures(
        integrated_lufs=fingerprint.integrated_lufs,
        loudness_range_lu=fingerprint.loudness_range_lu,
        true_peak_dbtp=fingerprint.true_peak_dbtp,
        crest_factor_db=fingerprint.crest_factor_db,
    )


def _estimate(
    plan: MasteringPlan, before: LoudnessFigures, intensity: float, notes: list[str]
) -> LoudnessFigures:
    """The mastered figures the plan gives (what ``estimated`` lists is derived)."""
    if plan.passthrough or intensity == 0.0:
        return before.model_copy()
    full = plan.calibrated_lufs if plan.calibrated_lufs is not None else plan.target_lufs
    estimated: list[str] = []
    lufs = full
    if full is not None and before.integrated_lufs is not None and intensity < 1.0:
        lufs = mastered_lufs(before.integrated_lufs, full, intensity)
        estimated.append("integrated_lufs")
        notes.append(BLEND_ESTIMATE)
    elif full is not None and intensity < 1.0:
        lufs = None
    peak = None
    if plan.true_peak_dbtp is not None:
        peak = peak_bound_dbtp(before.true_peak_dbtp, plan.true_peak_dbtp, intensity)
        estimated.append("true_peak_dbtp")
        notes.append(PEAK_BOUND)
    notes.append(NOT_IN_PLAN)
    return LoudnessFigures(integrated_lufs=lufs, loudness_range_lu=None, true_peak_dbtp=peak,
                           crest_factor_db=None, estimated=estimated)  # fmt: skip


def mastering_view(
    track_id: int, plan: MasteringPlan, fingerprint: Fingerprint | None, variant: Variant,
    *, planned_now: bool, measured: OutputFigures | None = None, measuring: bool = False,
) -> MasteringView:  # fmt: skip
    """The whole answer, from the plan, the fingerprint and the measured output figures
    (``measured``; None while ``measuring`` or when unmeasurable: estimates instead)."""
    intensity = 1.0 if plan.passthrough else variant.intensity
    notes: list[str] = []
    if fingerprint is None:
        notes.append("the track has not been analysed yet: no fingerprint")
    before = _before(fingerprint)
    # the level match follows the plan (the preset's target), measured or not: stable
    estimate = _estimate(plan, before, intensity, [] if measured else notes)
    after = estimate if measured is None else LoudnessFigures(**measured.to_dict())
    if measuring:
        notes.append(MEASURING)
    elif measured is None and not (plan.passthrough or intensity == 0.0):
        notes.append(UNMEASURABLE)
    matched = before.integrated_lufs is not None and estimate.integrated_lufs is not None
    gain_db = estimate.integrated_lufs - before.integrated_lufs if matched else 0.0  # type: ignore[operator]
    return MasteringView(
        track_id=track_id, preset=plan.preset, intensity=intensity,
        passthrough=plan.passthrough, planned_now=planned_now,
        fingerprint=None if fingerprint is None else fingerprint_view(fingerprint),
        eq_bands=[band.to_dict() for band in plan.eq], eq_curve=eq_curve(plan, intensity),
        compressor=plan.compressor.to_dict() if plan.compressor else None,
        transients=plan.transients.to_dict() if plan.transients else None,
        limiter=plan.limiter.to_dict() if plan.limiter else None,
        loudness_gain_db=plan.gain_db, before=before, after=after,
        level_match=LevelMatch(
            original_lufs=before.integrated_lufs, mastered_lufs=estimate.integrated_lufs,
            target_lufs=plan.target_lufs, original_gain_db=round(gain_db, 3),
        ),
        notes=list(dict.fromkeys(notes)), measuring=measuring,
    )  # fmt: skip


@router.get(
    "/api/tracks/{track_id}/mastering",
    response_model=MasteringView,
    summary="What a preset does to a track: fingerprint, chain, loudness before and after",
)
async def get_mastering(
    track_id: TrackIdParam,
    variant: Annotated[Variant, Depends(variant_params)],
    state: Annotated[ServerState, Depends(get_state)],
) -> MasteringView:
    engine = state.engine
    record = engine.library.get(track_id)
    plan = engine.mastered.cached_plan(record, variant)  # album mode: the album's plan
    planned_now = plan is None
    if plan is None:
        priority = Priority(Lane.ONDEMAND, time.monotonic())
        token = engine.mastered.token(record, variant)
        plan = await engine.mastered.plan(record, variant.preset, token, priority)
    from ...mastering.fingerprint import Fingerprint  # its kernels load on first use

    fingerprint = None if record.fingerprint is None else Fingerprint.from_dict(record.fingerprint)
    measured, measuring = None, False
    if not (plan.passthrough or variant.intensity == 0.0):
        measured, measuring = engine.mastered.lookup(record, variant)
    return mastering_view(track_id, plan, fingerprint, variant, planned_now=planned_now,
                          measured=measured, measuring=measuring)  # fmt: skip
