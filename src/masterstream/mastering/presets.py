"""Mastering presets: what each one aims for and the chain settings it starts from.

A preset's compressor threshold is relative (``threshold_rel_db`` above the track's
integrated loudness) because a fixed dBFS threshold would compress a loud track and leave
a quiet one untouched; :func:`~masterstream.mastering.plan.plan_mastering` resolves it to
an absolute threshold from the fingerprint. ``adaptive`` replaces its EQ gains and
compression ratio with values derived from the fingerprint. ``original`` is a bit-exact
passthrough.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from numbers import Real

from ..errors import InvalidIntensityError, UnknownPresetError
from .filters import EqBand
from .transients import TransientParams


@dataclass(frozen=True, slots=True)
class Preset:
    """A named mastering target and the chain settings it starts from."""

    name: str
    description: str
    target_lufs: float | None
    true_peak_dbtp: float | None
    eq: tuple[EqBand, ...] = ()
    compressor_ratio: float = 1.0
    compressor_threshold_rel_db: float = 0.0
    compressor_attack_ms: float = 10.0
    compressor_release_ms: float = 150.0
    compressor_knee_db: float = 6.0
    compressor_detector: str = "rms"
    limiter_lookahead_ms: float = 5.0
    limiter_release_ms: float = 80.0
    transients: TransientParams | None = None
    adaptive: bool = False
    passthrough: bool = False

    def __post_init__(self) -> None:
        if self.true_peak_dbtp is not None and self.true_peak_dbtp > -1.0:
            raise ValueError(f"preset {self.name}: true_peak_dbtp must be <= -1.0")

    def to_dict(self) -> dict[str, object]:
        """JSON-safe listing (what ``masterstream presets --json`` prints)."""
        data: dict[str, object] = {
            "name": self.name,
            "description": self.description,
            "target_lufs": self.target_lufs,
            "true_peak_dbtp": self.true_peak_dbtp,
            "adaptive": self.adaptive,
            "passthrough": self.passthrough,
        }
        if self.passthrough:
            return data
        data["eq"] = [band.to_dict() for band in self.eq]
        data["compressor"] = {
            "ratio": self.compressor_ratio,
            "threshold_rel_db": self.compressor_threshold_rel_db,
            "attack_ms": self.compressor_attack_ms,
            "release_ms": self.compressor_release_ms,
            "knee_db": self.compressor_knee_db,
            "detector": self.compressor_detector,
        }
        if self.transients is not None:
            data["transients"] = self.transients.to_dict()
        data["limiter"] = {
            "ceiling_dbtp": self.true_peak_dbtp,
            "lookahead_ms": self.limiter_lookahead_ms,
            "release_ms": self.limiter_release_ms,
        }
        return data


_RUMBLE = EqBand("highpass", 25.0, 0.0, 0.7071)

PRESETS: dict[str, Preset] = {
    preset.name: preset
    for preset in (
        Preset("original", "The source, untouched: bit-exact passthrough, no gain.", None, None,
               passthrough=True),
        Preset(
            "adaptive",
            "Balanced master shaped by the track's fingerprint: EQ towards a neutral tonal "
            "balance, compression only as much as the track's dynamics call for.",
            -14.0, -1.0,
            eq=(_RUMBLE, EqBand("low_shelf", 110.0, 0.0), EqBand("high_shelf", 7000.0, 0.0)),
            compressor_ratio=2.0, compressor_threshold_rel_db=2.0,
            compressor_attack_ms=15.0, compressor_release_ms=180.0, adaptive=True,
        ),
        Preset(
            "gentle",
            "Light touch: subtle polish, mild 1.5:1 compression, quieter -16 LUFS target.",
            -16.0, -1.0,
            eq=(_RUMBLE, EqBand("low_shelf", 100.0, 1.0), EqBand("high_shelf", 10000.0, 1.0)),
            compressor_ratio=1.5, compressor_threshold_rel_db=2.0,
            compressor_attack_ms=20.0, compressor_release_ms=250.0,
        ),
        Preset(
            "warm",
            "Warm and round: fuller low end and low mids, softened highs.",
            -14.0, -1.0,
            eq=(_RUMBLE, EqBand("low_shelf", 180.0, 3.0), EqBand("peak", 350.0, 1.0, 0.8),
                EqBand("high_shelf", 5000.0, -3.5)),
            compressor_ratio=2.0, compressor_threshold_rel_db=1.0,
            compressor_attack_ms=20.0, compressor_release_ms=200.0,
        ),
        Preset(
            "bright",
            "Bright and open: more presence and air, a leaner low end.",
            -14.0, -1.0,
            eq=(_RUMBLE, EqBand("low_shelf", 120.0, -1.5), EqBand("peak", 3000.0, 1.5, 0.9),
                EqBand("high_shelf", 6000.0, 4.0)),
            compressor_ratio=2.0, compressor_threshold_rel_db=1.0,
            compressor_attack_ms=15.0, compressor_release_ms=180.0,
        ),
        Preset(
            "punchy",
            "Punchy: emphasised drum attacks, slow-attack fast-release compression of the "
            "sustain, tight kick weight, mud cut.",
            -14.0, -1.0,
            eq=(_RUMBLE, EqBand("peak", 65.0, 2.5, 1.0), EqBand("peak", 350.0, -2.0, 1.0),
                EqBand("high_shelf", 8000.0, 1.5)),
            compressor_ratio=4.0, compressor_threshold_rel_db=-4.0,
            compressor_attack_ms=40.0, compressor_release_ms=60.0, compressor_knee_db=4.0,
            transients=TransientParams(amount=0.8, max_boost_db=6.0),
        ),
    )
}  # fmt: skip
PRESET_NAMES: tuple[str, ...] = tuple(PRESETS)


def mastered_preset_names() -> tuple[str, ...]:
    """Every preset that masters (all but the passthrough), ``adaptive`` first."""
    return tuple(name for name, preset in PRESETS.items() if not preset.passthrough)


def get_preset(name: str) -> Preset:
    """The preset called ``name``; :class:`UnknownPresetError` lists the valid ones."""
    try:
        return PRESETS[name]
    except (KeyError, TypeError):
        raise UnknownPresetError(str(name), PRESET_NAMES) from None


def validate_intensity(value: object) -> float:
    """``value`` as a float in [0, 1]; anything else raises :class:`InvalidIntensityError`."""
    if isinstance(value, bool) or not isinstance(value, Real):
        raise InvalidIntensityError(value)
    result = float(value)
    if not math.isfinite(result) or not 0.0 <= result <= 1.0:
        raise InvalidIntensityError(value)
    return result
