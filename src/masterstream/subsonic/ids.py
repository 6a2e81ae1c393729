"""Subsonic ids: strings naming a catalog item.

A track is its catalog id in decimal (``"17"``); an album ``"al-<id>"``, an artist
``"ar-<id>"``, a playlist ``"pl-<id>"``; a cover is ``"al-<id>"`` or ``"tr-<id>"`` (the
cover of an album or of a track). An id that names nothing answers error 70, as an id
of an item that is gone does.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from .errors import not_found

if TYPE_CHECKING:
    from .call import SubsonicCall

_ID = re.compile(r"(al-|ar-|pl-|tr-)?(0|[1-9][0-9]{0,17})")
_KINDS = {"al-": "album", "ar-": "artist", "pl-": "playlist", "tr-": "track", None: "track"}


def album_id(number: int) -> str:
    return f"al-{number}"


def artist_id(number: int) -> str:
    return f"ar-{number}"


def track_id(number: int) -> str:
    return str(number)


def split_id(value: str) -> tuple[str, int] | None:
    """``(kind, number)`` of an id (kind: track, album, artist or playlist), else None;
    ``tr-<id>`` is a track too."""
    match = _ID.fullmatch(value.strip())
    if match is None:
        return None
    return _KINDS[match.group(1)], int(match.group(2))


def parse_id(call: SubsonicCall, name: str, kind: str) -> int:
    """The number of the ``kind`` id in parameter ``name`` (required: error 10 without
    it; error 70 when it is not an id of that kind)."""
    value = call.require(name)
    found = split_id(value)
    if found is None or found[0] != kind or (kind == "track" and value.startswith("tr-")):
        raise not_found(f"{kind} {value[:40]!r}")
    return found[1]


def parse_ids(call: SubsonicCall, name: str, kind: str) -> list[int]:
    """Every value of a repeated id parameter (may be none)."""
    numbers = []
    for value in call.get_all(name):
        found = split_id(value)
        if found is None or found[0] != kind:
            raise not_found(f"{kind} {value[:40]!r}")
        numbers.append(found[1])
    return numbers
