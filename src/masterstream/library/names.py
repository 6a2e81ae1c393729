"""Names in the catalog: the keys that group artists and albums, and names read from a path.

Artists are one artist whatever the case, accents or spacing of their name
("Beyoncé", "beyonce ", "BEYONCÉ"), so every grouping compares :func:`name_key`\\ s.
A file without tags still gets a title (and, from its folders under the library root,
an album and an artist): ``Artist/Album/01 - Title.flac``.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

VARIOUS_ARTISTS = "Various Artists"
_SPACES = re.compile(r"\s+")
# "01 - Title", "01. Title", "1-03 Title" (disc-track), "A1 Title" is left alone.
_NUMBERED = re.compile(
    r"^(?:(?P<disc>\d{1,2})[-.])?(?P<track>\d{1,3})(?:\s*[-._]\s*|\s+)(?P<rest>.+)$"
)
_ARTIST_DASH_ALBUM = re.compile(r"^(?P<artist>.+?)\s+-\s+(?P<album>.+)$")


def name_key(name: str) -> str:
    """The grouping key of a name: case-folded, without diacritics, spaces collapsed."""
    decomposed = unicodedata.normalize("NFKD", name.casefold())
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return _SPACES.sub(" ", stripped).strip()


def clean(value: str | None) -> str | None:
    """A tag value with surrounding whitespace (and NULs some taggers leave) removed."""
    if value is None:
        return None
    value = value.replace("\x00", "").strip()
    return value or None


@dataclass(frozen=True, slots=True)
class PathNames:
    """What a file's path says about it, for files without tags."""

    title: str
    artist: str | None = None
    album: str | None = None
    track_number: int | None = None
    disc_number: int | None = None


def names_from_path(path: Path, root: Path | None = None) -> PathNames:
    """Title (and track number) from the file name; album and artist from the folders
    between ``root`` and the file: ``Artist/Album/``, or one ``Artist - Album`` folder."""
    stem = _SPACES.sub(" ", path.stem.replace("_", " ")).strip() or path.stem
    title, track, disc = stem, None, None
    if match := _NUMBERED.match(stem):
        title, track = match["rest"].strip(), int(match["track"])
        disc = int(match["disc"]) if match["disc"] else None
    folders: tuple[str, ...] = ()
    if root is not None and path.is_relative_to(root):
        folders = path.relative_to(root).parts[:-1]
    artist = album = None
    if len(folders) >= 2:
        artist, album = folders[-2], folders[-1]
    elif len(folders) == 1:
        if match := _ARTIST_DASH_ALBUM.match(folders[0]):
            artist, album = match["artist"], match["album"]
        else:
            album = folders[0]
    if artist and title.startswith(f"{artist} - "):  # "Artist - Title.mp3"
        title = title[len(artist) + 3 :]
    return PathNames(title=title, artist=clean(artist), album=clean(album), track_number=track,
                     disc_number=disc)  # fmt: skip
