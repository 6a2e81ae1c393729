"""Reading one file into an :class:`~masterstream.library.records.IndexEntry`.

The index phase of a scan: the header (frames, rate, channels, format), the tags, the
folder's cover image and the content signature. No audio is decoded, so a file is
listed and playable as soon as this is done; its fingerprint comes later.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from ..audio.decode import read_info
from ..audio.signature import content_signature
from .names import names_from_path
from .records import FileStamp, IndexEntry
from .tags import TrackTags, read_tags

CoverFinder = Callable[[Path], Path | None]


def read_entry(
    path: Path, *, root: Path | None = None, stamp: FileStamp | None = None,
    signature: str | None = None, covers: CoverFinder | None = None,
) -> IndexEntry:  # fmt: skip
    """Everything the index phase records about ``path`` (an audio file under ``root``).

    Raises :class:`~masterstream.errors.AudioError` for a file that cannot be decoded.
    ``stamp`` and ``signature`` may be given when the caller has them already.
    """
    stamp = stamp or FileStamp.of_path(path)
    info = read_info(path)
    signature = signature or content_signature(path)
    cover = covers(path) if covers is not None else None
    return entry_from(path, read_tags(path), root=root, stamp=stamp, signature=signature,
                      frames=info.frames, sample_rate=info.sample_rate, channels=info.channels,
                      fmt=info.format, cover=cover)  # fmt: skip


def entry_from(
    path: Path, tags: TrackTags, *, root: Path | None, stamp: FileStamp, signature: str,
    frames: int, sample_rate: int, channels: int, fmt: str | None, cover: Path | None,
) -> IndexEntry:  # fmt: skip
    """Tags first; what they lack is taken from the path."""
    named = names_from_path(path, root)
    artists = tags.artists or ((named.artist,) if named.artist else ())
    info: dict[str, object] = {}
    if tags.replaygain:
        info["replaygain"] = tags.replaygain
    if tags.musicbrainz:
        info["musicbrainz"] = tags.musicbrainz
    for name in ("track_total", "disc_total"):
        if (value := getattr(tags, name)) is not None:
            info[name] = value
    return IndexEntry(
        path=str(path), signature=signature, stamp=stamp, frames=frames,
        sample_rate=sample_rate, channels=channels, format=fmt,
        title=tags.title or named.title, artists=artists,
        album=tags.album or (named.album if not tags.title else None),
        album_artist=tags.album_artist, compilation=tags.compilation,
        track_number=tags.track_number or named.track_number,
        disc_number=tags.disc_number or named.disc_number,
        year=tags.year, genre=tags.genre, has_embedded_cover=tags.has_embedded_cover,
        cover_path=None if cover is None else str(cover), info=info,
    )  # fmt: skip
