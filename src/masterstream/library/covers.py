"""Where a track's cover art is: an image in its folder, or a picture embedded in its tags.

A folder image (``cover.jpg``, ``folder.jpg``, ``front.png`` …, any case) is found at
index time and its path stored with the track; embedded pictures are only noted then and
read when a cover is asked for. :class:`CoverSource` names the bytes of one cover by an
identity that changes whenever those bytes can (path, size and mtime of an image file;
the content signature of an audio file), so thumbnails made from it can be cached for good.
"""

from __future__ import annotations

import base64
import logging
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import mutagen
from mutagen.flac import Picture
from mutagen.id3 import ID3

from .records import TrackRecord

log = logging.getLogger("masterstream.library")
COVER_STEMS = ("cover", "folder", "front", "album", "albumart")  # in order of preference
COVER_EXTENSIONS = (".jpg", ".jpeg", ".png", ".webp")
FRONT_COVER = 3  # picture type of ID3 APIC and FLAC PICTURE blocks


def folder_cover(directory: Path) -> Path | None:
    """The preferred cover image in ``directory``, if there is one."""
    try:
        names = os.listdir(directory)
    except OSError:
        return None
    found: dict[tuple[int, int], str] = {}
    for name in names:
        stem, ext = os.path.splitext(name.lower())
        if stem in COVER_STEMS and ext in COVER_EXTENSIONS:
            found[(COVER_STEMS.index(stem), COVER_EXTENSIONS.index(ext))] = name
    for rank in sorted(found):
        path = directory / found[rank]
        if path.is_file():
            return path
    return None


class FolderCovers:
    """:func:`folder_cover`, looked up once per folder during a scan."""

    def __init__(self) -> None:
        self._found: dict[Path, Path | None] = {}

    def __call__(self, track_path: Path) -> Path | None:
        directory = track_path.parent
        if directory not in self._found:
            self._found[directory] = folder_cover(directory)
        return self._found[directory]


def embedded_cover(path: str | Path) -> bytes | None:
    """The embedded picture of an audio file (the front cover if it names one)."""
    try:
        audio = mutagen.File(path)
    except Exception as exc:  # damaged tags: no cover, not an error
        log.info("cannot read pictures of %s: %s", path, exc)
        return None
    if audio is None or audio.tags is None:
        return None
    pictures: list[tuple[int, bytes]] = []
    if isinstance(audio.tags, ID3):
        pictures = [(frame.type, frame.data) for frame in audio.tags.getall("APIC")]
    else:
        pictures = [(p.type, p.data) for p in getattr(audio, "pictures", [])]
        for encoded in audio.tags.get("metadata_block_picture", []):
            try:
                picture = Picture(base64.b64decode(encoded))
            except Exception:  # a malformed block is skipped
                continue
            pictures.append((picture.type, picture.data))
    pictures = [(kind, data) for kind, data in pictures if data]
    if not pictures:
        return None
    return min(pictures, key=lambda p: p[0] != FRONT_COVER)[1]


@dataclass(frozen=True, slots=True)
class CoverSource:
    """The bytes of one cover image, named by an identity that changes with them."""

    identity: str
    load: Callable[[], bytes | None]


def cover_source(record: TrackRecord) -> CoverSource | None:
    """The cover of a track: its folder image first, else its embedded picture."""
    if record.cover_path is not None:
        path = Path(record.cover_path)
        try:
            stat = path.stat()
        except OSError:
            stat = None
        if stat is not None:
            return CoverSource(
                f"file:{path}:{stat.st_size}:{stat.st_mtime_ns}", lambda: _read_file(path)
            )
    if record.has_embedded_cover:
        return CoverSource(f"embedded:{record.signature}", lambda: embedded_cover(record.path))
    return None


def _read_file(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except OSError:
        return None
