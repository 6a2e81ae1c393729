"""Which format and bitrate a Subsonic ``stream`` is sent in (:func:`choose_format`).

An explicit ``format`` wins; otherwise the user's default format. ``maxBitRate`` (kbit/s,
0: no limit) caps a lossy bitrate at the highest the format offers within it; when the
format was not asked for and is lossless but ``maxBitRate`` is below its bitrate (a phone
on a metered network), MP3 at the user's default bitrate within the cap is sent instead,
as Navidrome falls back to a lossy format. ``raw`` is the original file, untouched.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..audio.lossy import LOSSY_FORMATS
from .errors import invalid

if TYPE_CHECKING:
    from ..library.records import TrackRecord
    from ..users import UserSettings

STREAM_FORMATS = ("mp3", "opus", "flac", "wav", "raw")
FALLBACK_LOSSY = "mp3"
PCM_BITS = 16


@dataclass(frozen=True, slots=True)
class StreamFormat:
    """A format name and, for a lossy one, its bitrate (``raw``: the original file)."""

    name: str
    bitrate_kbps: int | None = None

    @property
    def raw(self) -> bool:
        return self.name == "raw"


def lossless_kbps(name: str, track: TrackRecord) -> float:
    """What a lossless stream of ``track`` costs: its PCM rate (a FLAC is no larger), or
    the original file's average rate for ``raw``."""
    if name == "raw":
        return track.size_bytes * 8 / 1000.0 / max(track.duration_s, 1e-3)
    return track.sample_rate * track.channels * PCM_BITS / 1000.0


def capped_bitrate(name: str, wanted_kbps: int | None, max_kbps: int) -> int:
    """The bitrate of lossy format ``name``: ``wanted_kbps`` if the format offers it (its
    default otherwise), lowered to the highest offered <= ``max_kbps`` (0: no cap)."""
    lossy = LOSSY_FORMATS[name]
    bitrate = wanted_kbps if wanted_kbps in lossy.bitrates_kbps else lossy.default_bitrate_kbps
    if max_kbps > 0 and bitrate > max_kbps:
        within = [b for b in lossy.bitrates_kbps if b <= max_kbps]
        bitrate = max(within) if within else min(lossy.bitrates_kbps)
    return bitrate


def choose_format(
    requested: str | None, max_kbps: int, settings: UserSettings, track: TrackRecord
) -> StreamFormat:
    """The format to stream ``track`` in (see the module doc); error 0 for an unknown one."""
    if requested not in (None, "") and requested not in STREAM_FORMATS:
        raise invalid("format", f"{requested[:40]!r} is not one of {', '.join(STREAM_FORMATS)}")
    name = requested or settings.default_format
    if name not in LOSSY_FORMATS:
        downgrade = not requested and 0 < max_kbps < lossless_kbps(name, track)
        if not downgrade:
            return StreamFormat(name)
        name = FALLBACK_LOSSY  # the user's default is this lossless one: MP3 instead
    return StreamFormat(name, capped_bitrate(name, settings.default_bitrate_kbps, max_kbps))
