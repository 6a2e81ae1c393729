"""Tags of an audio file, read with mutagen: Vorbis comments (FLAC, Ogg) and ID3 (MP3, WAV).

Repeated fields follow one rule. Fields that name one thing (title, album, album artist,
track, disc, date) take the **last** value: taggers such as ``metaflac --set-tag``
append a new value instead of replacing the old one, so the last is the newest and
the first is often a stale value shared by many files. Fields that are lists by nature
(artist, genre) keep every distinct value, in order. Unreadable tags never fail a
scan: the file is indexed with the names its path gives it.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import mutagen
from mutagen.id3 import ID3

from .names import clean

log = logging.getLogger("masterstream.library")
_YEAR = re.compile(r"(?<!\d)(\d{4})(?!\d)")
_NUMBER = re.compile(r"^\s*(\d+)\s*(?:/\s*(\d+))?")
REPLAYGAIN_FIELDS = ("replaygain_track_gain", "replaygain_track_peak", "replaygain_album_gain",
                     "replaygain_album_peak")  # fmt: skip
# catalog name -> (Vorbis comment field, ID3 TXXX description); the recording id is UFID in ID3
MUSICBRAINZ_FIELDS = {
    "recording_id": ("musicbrainz_trackid", None),
    "release_track_id": ("musicbrainz_releasetrackid", "MusicBrainz Release Track Id"),
    "album_id": ("musicbrainz_albumid", "MusicBrainz Album Id"),
    "artist_id": ("musicbrainz_artistid", "MusicBrainz Artist Id"),
    "album_artist_id": ("musicbrainz_albumartistid", "MusicBrainz Album Artist Id"),
    "release_group_id": ("musicbrainz_releasegroupid", "MusicBrainz Release Group Id"),
}


@dataclass(frozen=True, slots=True)
class TrackTags:
    """What a file's tags say; every field may be missing."""

    title: str | None = None
    artists: tuple[str, ...] = ()
    album: str | None = None
    album_artist: str | None = None
    track_number: int | None = None
    track_total: int | None = None
    disc_number: int | None = None
    disc_total: int | None = None
    year: int | None = None
    genres: tuple[str, ...] = ()
    compilation: bool = False
    has_embedded_cover: bool = False
    replaygain: dict[str, float] = field(default_factory=dict)
    musicbrainz: dict[str, str] = field(default_factory=dict)

    @property
    def artist(self) -> str | None:
        """Every artist, as one display string."""
        return "; ".join(self.artists) or None

    @property
    def genre(self) -> str | None:
        return "; ".join(self.genres) or None


def read_tags(path: str | Path) -> TrackTags:
    """The tags of ``path``; empty tags for a file without any (or with unreadable ones)."""
    try:
        audio = mutagen.File(path)
    except Exception as exc:  # mutagen raises many types for damaged tags
        log.info("cannot read tags of %s: %s", path, exc)
        return TrackTags()
    if audio is None or audio.tags is None:
        return TrackTags()
    if isinstance(audio.tags, ID3):
        get, extra = _id3_getter(audio.tags)
        cover = bool(audio.tags.getall("APIC"))
    else:
        get, extra = _vorbis_getter(audio.tags), {}
        cover = bool(getattr(audio, "pictures", None)) or bool(get("metadata_block_picture"))
    return _tags_from(get, cover, extra)


Getter = Callable[[str], list[str]]


def _vorbis_getter(tags: Any) -> Getter:
    def get(name: str) -> list[str]:
        try:
            return [str(v) for v in tags[name]]
        except KeyError:
            return []

    return get


_ID3_FRAMES = {
    "title": "TIT2", "artist": "TPE1", "album": "TALB", "albumartist": "TPE2",
    "tracknumber": "TRCK", "discnumber": "TPOS", "date": "TDRC", "originaldate": "TDOR",
    "genre": "TCON", "compilation": "TCMP",
}  # fmt: skip


def _id3_getter(tags: ID3) -> tuple[Getter, dict[str, str]]:
    txxx = {frame.desc.casefold(): [str(t) for t in frame.text] for frame in tags.getall("TXXX")}

    def get(name: str) -> list[str]:
        frame_id = _ID3_FRAMES.get(name)
        if frame_id is None:
            return txxx.get(name.casefold(), [])
        values: list[str] = []
        for frame in tags.getall(frame_id):
            values.extend(frame.genres if frame_id == "TCON" else (str(t) for t in frame.text))
        return values

    extra = {}
    for ufid in tags.getall("UFID"):
        if ufid.owner == "http://musicbrainz.org":
            extra["musicbrainz_trackid"] = ufid.data.decode("ascii", "replace")
    for _, (vorbis, desc) in MUSICBRAINZ_FIELDS.items():
        if desc and (values := txxx.get(desc.casefold())):
            extra[vorbis] = values[-1]
    return get, extra


def _tags_from(get: Getter, cover: bool, extra: dict[str, str]) -> TrackTags:
    track, track_total = _number(get("tracknumber"), get("tracktotal") or get("totaltracks"))
    disc, disc_total = _number(get("discnumber"), get("disctotal") or get("totaldiscs"))
    replaygain = {}
    for name in REPLAYGAIN_FIELDS:
        if (value := _float(_last(get(name)))) is not None:
            replaygain[name.removeprefix("replaygain_")] = value
    musicbrainz = {}
    for name, (vorbis, _) in MUSICBRAINZ_FIELDS.items():
        if value := extra.get(vorbis) or _last(get(vorbis)):
            musicbrainz[name] = value
    compilation = (_last(get("compilation")) or "").strip().lower() in ("1", "true", "yes")
    return TrackTags(
        title=_last(get("title")),
        artists=_distinct(get("artist")),
        album=_last(get("album")),
        album_artist=_last(get("albumartist") or get("album artist") or get("album_artist")),
        track_number=track, track_total=track_total, disc_number=disc, disc_total=disc_total,
        year=_year(get("date") or get("year") or get("originaldate")),
        genres=_distinct(get("genre")),
        compilation=compilation, has_embedded_cover=cover, replaygain=replaygain,
        musicbrainz=musicbrainz,
    )  # fmt: skip


def _last(values: Sequence[str]) -> str | None:
    for value in reversed(values):
        if cleaned := clean(value):
            return cleaned
    return None


def _distinct(values: Sequence[str]) -> tuple[str, ...]:
    seen: dict[str, None] = {}
    for value in values:
        if cleaned := clean(value):
            seen.setdefault(cleaned, None)
    return tuple(seen)


def _number(values: Sequence[str], totals: Sequence[str]) -> tuple[int | None, int | None]:
    """``"3/12"`` -> (3, 12); a separate total field fills the total."""
    number = total = None
    if (text := _last(values)) and (match := _NUMBER.match(text)):
        number = int(match[1]) or None
        total = int(match[2]) if match[2] else None
    if total is None and (text := _last(totals)) and (match := _NUMBER.match(text)):
        total = int(match[1])
    return number, total


def _year(values: Sequence[str]) -> int | None:
    if (text := _last(values)) and (match := _YEAR.search(text)):
        return int(match[1])
    return None


def _float(text: str | None) -> float | None:
    """``"-7.03 dB"`` -> -7.03."""
    if text is None:
        return None
    try:
        return float(text.lower().removesuffix("db").strip())
    except ValueError:
        return None
