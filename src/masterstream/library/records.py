"""Values the catalog stores and returns: file stamps, index entries and track records."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


@dataclass(frozen=True, slots=True)
class FileStamp:
    """What ``stat`` says about a file, to tell cheaply whether its bytes may have changed.

    Size and modification time can be set back (``os.utime``, as backup and sync tools
    do); the change time and the inode cannot, so a file rewritten in place or replaced
    by another under the same name gets a different stamp.
    """

    size_bytes: int
    mtime_ns: int
    ctime_ns: int
    inode: int

    @classmethod
    def of(cls, stat: os.stat_result) -> FileStamp:
        return cls(stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns, stat.st_ino)

    @classmethod
    def of_path(cls, path: str | Path) -> FileStamp:
        return cls.of(os.stat(path))


@dataclass(frozen=True, slots=True)
class IndexEntry:
    """Everything the index phase learns about one file (no audio is decoded for it):
    header facts, and names from its tags or, where they are missing, from its path."""

    path: str
    signature: str
    stamp: FileStamp
    frames: int
    sample_rate: int
    channels: int
    format: str | None
    title: str
    artists: tuple[str, ...] = ()
    album: str | None = None
    album_artist: str | None = None  # as tagged; None: the track's first artist
    compilation: bool = False
    track_number: int | None = None
    disc_number: int | None = None
    year: int | None = None
    genre: str | None = None
    has_embedded_cover: bool = False
    cover_path: str | None = None  # a cover image in the track's folder
    info: dict[str, Any] = field(default_factory=dict)  # ReplayGain, MusicBrainz ids

    @property
    def artist(self) -> str | None:
        return "; ".join(self.artists) or None


@dataclass(frozen=True, slots=True)
class TrackRecord:
    """One catalog row."""

    id: int
    path: str
    signature: str
    size_bytes: int
    mtime_ns: int
    frames: int
    sample_rate: int
    channels: int
    title: str | None
    artist: str | None
    fingerprint: dict[str, Any] | None
    ctime_ns: int | None = None
    inode: int | None = None
    format: str | None = None
    album_id: int | None = None
    artist_id: int | None = None
    album: str | None = None
    album_artist: str | None = None
    track_number: int | None = None
    disc_number: int | None = None
    year: int | None = None
    genre: str | None = None
    has_embedded_cover: bool = False
    cover_path: str | None = None
    info: dict[str, Any] | None = None  # ReplayGain and MusicBrainz ids, as tagged

    @property
    def duration_s(self) -> float:
        return self.frames / self.sample_rate

    @property
    def display_title(self) -> str:
        return self.title or Path(self.path).stem

    @property
    def has_cover(self) -> bool:
        return self.has_embedded_cover or self.cover_path is not None

    @property
    def stamp(self) -> FileStamp | None:
        """The stamp taken when the file was indexed (None for rows of an older catalog)."""
        if self.ctime_ns is None or self.inode is None:
            return None
        return FileStamp(self.size_bytes, self.mtime_ns, self.ctime_ns, self.inode)

    def unchanged_on_disk(self, stamp: FileStamp) -> bool:
        """Whether a file with ``stamp`` still holds the bytes this record was made from,
        as far as ``stat`` can tell (size and mtime only for a row not indexed since the
        catalog was upgraded: the next scan stamps it)."""
        if self.stamp is None:
            return (stamp.size_bytes, stamp.mtime_ns) == (self.size_bytes, self.mtime_ns)
        return self.stamp == stamp
