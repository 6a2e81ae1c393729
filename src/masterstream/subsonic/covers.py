"""``getCoverArt``: an album's, a track's or an artist's cover as a thumbnail of ``size``.

Served like ``/api/albums/{id}/cover`` (:func:`~masterstream.api.routes.covers.cover_response`:
resized once on a fixed ladder, kept on disk, ETag); an artist's cover is that of its
first album that has one. An id that names nothing is error 70; an item without a cover
gets the generated placeholder, as the web app shows.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

from starlette.responses import Response

from ..api.routes.covers import cover_response
from ..library import browse
from ..library.covers import CoverSource, cover_source
from ..library.thumbnails import MAX_SIZE_PX, MIN_SIZE_PX
from .call import Method, SubsonicCall
from .errors import not_found
from .ids import split_id

if TYPE_CHECKING:
    from ..library.catalog import Catalog


def _album_cover(catalog: Catalog, album_id: int) -> tuple[CoverSource | None, str]:
    album, cover_track_id = browse.album_cover_track(catalog, album_id)
    source = None if cover_track_id is None else cover_source(catalog.get_track(cover_track_id))
    return source, f"{album['title']} {album['artist']}"


def find_cover(catalog: Catalog, value: str) -> tuple[CoverSource | None, str]:
    """The cover an id names and the name its placeholder shows."""
    kind, number = split_id(value) or ("", 0)
    if kind == "album":
        return _album_cover(catalog, number)
    if kind == "track":
        record = catalog.get_track(number)
        name = f"{record.album or record.display_title} {record.album_artist or ''}".strip()
        return cover_source(record), name
    if kind == "artist":
        artist = browse.get_artist(catalog, number)
        covered = [a for a in artist["albums"] if a["has_cover"]]
        if covered:
            return _album_cover(catalog, covered[0]["id"])
        return None, artist["name"]
    raise not_found(f"cover art {value[:40]!r}")


async def get_cover_art(call: SubsonicCall) -> Response:
    value = call.require("id")
    size = call.get_int("size", MAX_SIZE_PX, minimum=MIN_SIZE_PX, maximum=MAX_SIZE_PX)
    source, name = await asyncio.to_thread(find_cover, call.state.engine.catalog, value)
    return await cover_response(call.request, call.state, source, name=name,
                                size=size or MAX_SIZE_PX, fmt=None)  # fmt: skip


METHODS = {"getCoverArt": Method(get_cover_art)}
