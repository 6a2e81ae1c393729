"""What a Subsonic user hears by default, and the ReplayGain of it.

A user's listening defaults (preset, intensity, stream format and bitrate: their
settings, else the server's) decide what ``stream`` plays, so song entries describe that:
the transcoded format, and ``replayGain`` of the *mastered* output against the
ReplayGain 2.0 reference of -18 LUFS, so a client that normalises does not undo or
double the mastering. A mastered track's loudness is its plan's calibrated loudness (the
preset's target until the plan exists); its peak is the limiter's true-peak ceiling,
lowered by the headroom a lossy encoding gets. Below full intensity the limiter sees the
blend ``(1 - i) * original + i * mastered``: its loudness is estimated from the blend of
the two levels (the signals are nearly in phase), and the ceiling still holds. The
original preset, or intensity 0, is the source's own loudness and peak.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..audio.formats import OutputFormat, output_format
from ..audio.lossy import LOSSY_FORMATS
from ..cache import ORIGINAL
from ..mastering import get_preset
from ..service.request import DEFAULT_PRESET, Variant
from ..users import UserSettings
from .transcoding import StreamFormat, capped_bitrate

if TYPE_CHECKING:
    from ..library.records import TrackRecord
    from ..service.plans import PlanStore
    from ..users import User, UserStore

REFERENCE_LUFS = -18.0  # ReplayGain 2.0


@dataclass(frozen=True, slots=True)
class Listening:
    """A user's defaults: the variant ``stream`` masters with and the format it sends
    when the client asks for none."""

    variant: Variant
    stream: StreamFormat

    @property
    def fmt(self) -> OutputFormat | None:
        """The output format (None: ``raw``, the original file untouched)."""
        if self.stream.raw:
            return None
        return output_format(self.stream.name, self.stream.bitrate_kbps)


def user_settings(store: UserStore | None, user: User | None) -> UserSettings:
    """The user's settings (the server's defaults for the loopback principal)."""
    return UserSettings() if store is None or user is None else store.accounts.settings(user.id)


def listening_of(settings: UserSettings) -> Listening:
    variant = Variant.of(settings.default_preset or DEFAULT_PRESET, settings.default_intensity,
                         settings.default_loudness)  # fmt: skip
    name = settings.default_format
    if name not in LOSSY_FORMATS:
        return Listening(variant, StreamFormat(name))
    return Listening(
        variant, StreamFormat(name, capped_bitrate(name, settings.default_bitrate_kbps, 0))
    )


def _db(linear: float) -> float:
    return 20.0 * math.log10(max(linear, 1e-9))


def _linear(db: float) -> float:
    return 10.0 ** (db / 20.0)


def _source_levels(record: TrackRecord) -> tuple[float, float] | None:
    """(integrated LUFS, true peak dBTP) of the source, from its fingerprint."""
    fp = record.fingerprint or {}
    if fp.get("integrated_lufs") is None or fp.get("true_peak_dbtp") is None:
        return None
    return float(fp["integrated_lufs"]), float(fp["true_peak_dbtp"])


def _mastered_levels(
    record: TrackRecord, listening: Listening, plans: PlanStore
) -> tuple[float, float] | None:
    preset = get_preset(listening.variant.preset)
    plan = plans.cached(record, preset.name)
    lufs = (plan.calibrated_lufs or plan.target_lufs) if plan is not None else None
    lufs = lufs if lufs is not None else preset.target_lufs
    ceiling = plan.true_peak_dbtp if plan is not None else None
    ceiling = ceiling if ceiling is not None else preset.true_peak_dbtp
    if lufs is None or ceiling is None:
        return None
    fmt = listening.fmt
    if fmt is not None and fmt.lossy is not None and fmt.bitrate_kbps is not None:
        ceiling -= fmt.lossy.peak_headroom_db(fmt.bitrate_kbps)
    return lufs, ceiling


def heard_levels(
    record: TrackRecord, listening: Listening, plans: PlanStore
) -> tuple[float, float] | None:
    """(loudness LUFS, true peak dBTP) of what ``stream`` plays, or None if unknown."""
    variant = listening.variant
    source = _source_levels(record)
    if variant.preset == ORIGINAL or variant.intensity == 0.0:
        return source
    mastered = _mastered_levels(record, listening, plans)
    if mastered is None or variant.intensity == 1.0 or source is None:
        return mastered
    i = variant.intensity
    return _db((1 - i) * _linear(source[0]) + i * _linear(mastered[0])), mastered[1]


def replay_gain(
    record: TrackRecord, listening: Listening, plans: PlanStore
) -> dict[str, Any] | None:
    """The OpenSubsonic ``replayGain`` of what the user hears (None when unknown: an
    unanalysed track played as the original). Every track of an album is mastered to the
    same loudness, so a mastered track's album values are its track values; the original
    has none (its album's loudness is not measured)."""
    levels = heard_levels(record, listening, plans)
    if levels is None:
        return None
    gain_db = round(REFERENCE_LUFS - levels[0], 2)
    peak = round(_linear(levels[1]), 4)
    gain = {"trackGain": gain_db, "trackPeak": peak, "baseGain": 0}
    variant = listening.variant
    if variant.preset != ORIGINAL and variant.intensity > 0.0:
        gain.update(albumGain=gain_db, albumPeak=peak)
    return gain
