"""Subsonic entries built from catalog records: songs (``Child``), albums (``AlbumID3``
and, for ``getMusicDirectory``, album directories) and artists (``ArtistID3``).

A song entry describes what ``stream`` will play for the user (see :mod:`.listening`):
``suffix``/``contentType``/``size``/``path`` are the original file's, ``transcodedSuffix``/
``transcodedContentType`` and ``bitRate`` the stream's, ``replayGain`` the mastered
output's. Stars and play counts come from a :class:`SongAnnotations` view when given.
"""

from __future__ import annotations

import mimetypes
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from .ids import album_id, artist_id, track_id
from .listening import Listening, replay_gain
from .transcoding import lossless_kbps

if TYPE_CHECKING:
    from ..library.records import TrackRecord
    from ..service.plans import PlanStore

SOURCE_TYPES = {"flac": "audio/flac", "mp3": "audio/mpeg", "ogg": "audio/ogg",
                "opus": "audio/ogg", "wav": "audio/wav", "m4a": "audio/mp4",
                "aif": "audio/aiff", "aiff": "audio/aiff"}  # fmt: skip


class SongAnnotations(Protocol):
    """A user's stars and play counts, as entries show them."""

    def starred_at(self, kind: str, item_id: int) -> str | None: ...

    def play_count(self, track_id: int) -> int: ...


@dataclass(frozen=True, slots=True)
class EntryContext:
    """What every entry of one answer shares: the user's listening defaults, the plans
    (for ``replayGain``), the library's root (for relative paths) and annotations."""

    listening: Listening
    plans: PlanStore
    library_root: Path
    annotations: SongAnnotations | None = None

    def starred(self, kind: str, item_id: int | None) -> str | None:
        if self.annotations is None or item_id is None:
            return None
        return self.annotations.starred_at(kind, item_id)


def _relative(path: str, root: Path) -> str:
    try:
        return Path(path).relative_to(root).as_posix()
    except ValueError:
        return Path(path).name


def _stream_fields(record: TrackRecord, listening: Listening) -> dict[str, Any]:
    fmt = listening.fmt
    if fmt is None:
        return {"bitRate": round(lossless_kbps("raw", record))}
    suffix = fmt.lossy.extension if fmt.lossy is not None else f".{fmt.name}"
    kbps = fmt.bitrate_kbps or lossless_kbps(fmt.name, record)
    return {"bitRate": round(kbps), "transcodedSuffix": suffix.lstrip("."),
            "transcodedContentType": fmt.media_type}  # fmt: skip


def song_entry(record: TrackRecord, context: EntryContext) -> dict[str, Any]:
    """The ``Child`` entry of a song."""
    suffix = Path(record.path).suffix.lower().lstrip(".")
    content_type = SOURCE_TYPES.get(suffix) or mimetypes.guess_type(record.path)[0]
    cover = album_id(record.album_id) if record.album_id is not None else f"tr-{record.id}"
    annotations = context.annotations
    return {
        "id": track_id(record.id),
        "parent": album_id(record.album_id) if record.album_id is not None else None,
        "isDir": False,
        "title": record.display_title,
        "album": record.album,
        "artist": record.artist,
        "track": record.track_number,
        "discNumber": record.disc_number,
        "year": record.year,
        "genre": record.genre,
        "genres": [{"name": record.genre}] if record.genre else [],
        "coverArt": cover,
        "size": record.size_bytes,
        "contentType": content_type or "application/octet-stream",
        "suffix": suffix,
        **_stream_fields(record, context.listening),
        "duration": round(record.duration_s),
        "samplingRate": record.sample_rate,
        "channelCount": record.channels,
        "path": _relative(record.path, context.library_root),
        "albumId": album_id(record.album_id) if record.album_id is not None else None,
        "artistId": artist_id(record.artist_id) if record.artist_id is not None else None,
        "type": "music",
        "mediaType": "song",
        "isVideo": False,
        "starred": context.starred("song", record.id),
        "playCount": annotations.play_count(record.id) if annotations is not None else None,
        "replayGain": replay_gain(record, context.listening, context.plans),
    }


def album_entry(
    album: dict[str, Any], context: EntryContext, genre: str | None = None
) -> dict[str, Any]:
    """The ``AlbumID3`` entry of an album (as :mod:`masterstream.library.browse` lists it)."""
    return {
        "id": album_id(album["id"]),
        "name": album["title"],
        "artist": album["artist"],
        "artistId": artist_id(album["artist_id"]),
        "coverArt": album_id(album["id"]),
        "songCount": album["track_count"],
        "duration": round(album["duration_s"]),
        "created": album["added_at"],
        "year": album["year"],
        "genre": genre,
        "isCompilation": album["compilation"],
        "starred": context.starred("album", album["id"]),
    }


def album_directory(album: dict[str, Any], context: EntryContext) -> dict[str, Any]:
    """An album as a ``Child`` directory of its artist (``getMusicDirectory``)."""
    return {
        "id": album_id(album["id"]),
        "parent": artist_id(album["artist_id"]),
        "isDir": True,
        "title": album["title"],
        "name": album["title"],  # clients read getAlbumList's albums as AlbumID3 too
        "album": album["title"],
        "artist": album["artist"],
        "songCount": album["track_count"],
        "duration": round(album["duration_s"]),
        "year": album["year"],
        "coverArt": album_id(album["id"]),
        "created": album["added_at"],
        "starred": context.starred("album", album["id"]),
    }


def artist_entry(artist: dict[str, Any], context: EntryContext) -> dict[str, Any]:
    """The ``ArtistID3`` entry of an artist."""
    return {
        "id": artist_id(artist["id"]),
        "name": artist["name"],
        "albumCount": artist["album_count"],
        "coverArt": artist_id(artist["id"]),
        "starred": context.starred("artist", artist["id"]),
    }
