"""Per-track mastering plans: resolve a preset against a track, once, and calibrate its gain.

A :class:`~masterstream.mastering.plan_model.MasteringPlan` holds every track-level
decision the chain needs; this module decides them for a track and preset.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import replace

import numpy as np

from .calibration import calibrate_many
from .compressor import CompressorParams
from .filters import EqBand
from .fingerprint import BLOCK_FRAMES, Fingerprint
from .limiter import LimiterParams
from .plan_model import MasteringPlan
from .presets import Preset, get_preset

# The limiter aims this far under the preset's true-peak ceiling, so the measured true
# peak stays under it despite interpolation error between meters.
TRUE_PEAK_MARGIN_DB = 0.3

# adaptive: tonal balance of typical music (share of energy below 250 Hz / above 4 kHz, as
# log-odds in dB) that the shelves steer towards, and how hard they steer.
NEUTRAL_LOW_END_DB = 5.0
NEUTRAL_TOP_END_DB = -17.0
SHELF_STEER = 0.4
LOW_SHELF_RANGE_DB = (-3.0, 3.0)
HIGH_SHELF_RANGE_DB = (-2.0, 4.0)
# adaptive: compression ratio from the peak-to-loudness ratio (crushed .. dynamic)
PLR_RANGE_DB = (8.0, 20.0)
RATIO_RANGE = (1.1, 3.0)


def _log_odds_db(share: float) -> float:
    share = min(max(share, 1e-6), 1.0 - 1e-6)
    return 10.0 * float(np.log10(share / (1.0 - share)))


def adaptive_shelf_gains_db(fingerprint: Fingerprint) -> tuple[float, float]:
    """(low shelf, high shelf) gains steering the track towards a neutral tonal balance."""
    low = SHELF_STEER * (NEUTRAL_LOW_END_DB - _log_odds_db(fingerprint.low_end_ratio))
    high = SHELF_STEER * (NEUTRAL_TOP_END_DB - _log_odds_db(fingerprint.top_end_ratio))
    return (float(np.clip(low, *LOW_SHELF_RANGE_DB)), float(np.clip(high, *HIGH_SHELF_RANGE_DB)))


def adaptive_ratio(fingerprint: Fingerprint) -> float:
    """Compression ratio: gentle for dense, loud tracks (low PLR), firmer for dynamic ones."""
    return float(np.interp(fingerprint.plr_db, PLR_RANGE_DB, RATIO_RANGE))


def resolve_chain(
    preset: Preset, fingerprint: Fingerprint
) -> tuple[tuple[EqBand, ...], CompressorParams, LimiterParams]:
    """The preset's chain settings made concrete for one track."""
    eq = preset.eq
    ratio = preset.compressor_ratio
    if preset.adaptive:
        low_db, high_db = adaptive_shelf_gains_db(fingerprint)
        gains = {"low_shelf": low_db, "high_shelf": high_db}
        eq = tuple(replace(b, gain_db=gains.get(b.kind, b.gain_db)) for b in eq)
        ratio = adaptive_ratio(fingerprint)
    compressor = CompressorParams(
        threshold_dbfs=fingerprint.integrated_lufs + preset.compressor_threshold_rel_db,
        ratio=ratio,
        attack_ms=preset.compressor_attack_ms,
        release_ms=preset.compressor_release_ms,
        knee_db=preset.compressor_knee_db,
        detector=preset.compressor_detector,
    )
    limiter = LimiterParams(
        ceiling_dbtp=float(preset.true_peak_dbtp) - TRUE_PEAK_MARGIN_DB,
        lookahead_ms=preset.limiter_lookahead_ms,
        release_ms=preset.limiter_release_ms,
    )
    return eq, compressor, limiter


def _uncalibrated(preset: Preset, fingerprint: Fingerprint, sample_rate: int) -> MasteringPlan:
    """``preset`` resolved for the track, its loudness gain not yet calibrated."""
    if preset.passthrough:
        return MasteringPlan(preset=preset.name, sample_rate=int(sample_rate), passthrough=True)
    eq, compressor, limiter = resolve_chain(preset, fingerprint)
    return MasteringPlan(
        preset=preset.name,
        sample_rate=int(sample_rate),
        passthrough=False,
        eq=eq,
        compressor=compressor,
        limiter=limiter,
        transients=preset.transients,
        target_lufs=preset.target_lufs,
        true_peak_dbtp=preset.true_peak_dbtp,
    )


def plans_from_blocks(
    preset_names: Sequence[str],
    fingerprint: Fingerprint,
    blocks: Callable[[], Iterable[np.ndarray]],
    sample_rate: int,
    channels: int,
) -> dict[str, MasteringPlan]:
    """Resolve each of ``preset_names`` for one track and calibrate their loudness gains
    together from the track's ``(frames, channels)`` blocks (``blocks()`` yields them
    afresh for each pass, one pass for all presets; see
    :func:`~masterstream.mastering.calibration.calibrate_many`)."""
    plans = {name: _uncalibrated(get_preset(name), fingerprint, sample_rate)
             for name in preset_names}  # fmt: skip
    mastered = [name for name, plan in plans.items() if not plan.passthrough]
    reference = fingerprint.integrated_lufs
    answers = calibrate_many([(plans[name], reference) for name in mastered], blocks,
                             sample_rate, channels)  # fmt: skip
    for name, (gain_db, measured) in zip(mastered, answers, strict=True):
        plans[name] = replace(plans[name], gain_db=gain_db, calibrated_lufs=measured)
    return plans


def plan_from_blocks(
    preset_name: str,
    fingerprint: Fingerprint,
    blocks: Callable[[], Iterable[np.ndarray]],
    sample_rate: int,
    channels: int,
) -> MasteringPlan:
    """:func:`plans_from_blocks` for one preset."""
    return plans_from_blocks((preset_name,), fingerprint, blocks, sample_rate, channels)[
        preset_name
    ]


def plan_mastering(
    preset_name: str, fingerprint: Fingerprint, audio: np.ndarray, sample_rate: int
) -> MasteringPlan:
    """:func:`plan_from_blocks` for a track held in memory, float ``(frames, channels)``."""
    audio = np.asarray(audio)
    if audio.ndim == 1:
        audio = audio[:, np.newaxis]
    step = BLOCK_FRAMES

    def blocks() -> Iterator[np.ndarray]:
        return (audio[start : start + step] for start in range(0, audio.shape[0], step))

    return plan_from_blocks(preset_name, fingerprint, blocks, sample_rate, audio.shape[1])
