"""Album lists and random songs: ``getAlbumList2``, ``getAlbumList`` and ``getRandomSongs``.

``frequent``, ``recent`` and ``starred`` are the user's own (play counts, last plays and
stars in the users' tables); without a user (loopback, no users yet) they are empty.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..library import browse, selections
from .call import Method, SubsonicCall, blocking
from .context import entry_context
from .entries import album_directory, album_entry, song_entry
from .errors import invalid, missing
from .lookup import albums_in_order

if TYPE_CHECKING:
    from ..library.catalog import Catalog

MAX_SIZE = 500
SORTED = {"newest": "recent", "alphabeticalByName": "name", "alphabeticalByArtist": "artist"}
OWN = ("frequent", "recent", "starred")
TYPES = (*SORTED, *OWN, "random", "byYear", "byGenre", "highest")


def _own_album_ids(call: SubsonicCall, kind: str, wanted: int) -> list[int]:
    if call.user is None:
        return []
    store = call.request.app.state.auth.store
    if kind == "starred":
        return [star.item_id for star in store.stars.list(call.user.id, "album")]
    plays = store.plays.most_played if kind == "frequent" else store.plays.recently_played
    return [p.item_id for p in plays(call.user.id, "album", limit=wanted)]


def select_albums(call: SubsonicCall) -> list[dict[str, Any]]:
    """The albums a ``getAlbumList``/``getAlbumList2`` call asks for."""
    kind = call.require("type")
    size = call.get_int("size", 10, minimum=0, maximum=MAX_SIZE) or 0
    offset = call.get_int("offset", 0, minimum=0) or 0
    catalog: Catalog = call.state.engine.catalog
    if kind in SORTED:
        page = browse.list_albums(catalog, sort=SORTED[kind], offset=offset, limit=size,
                                  with_total=False)  # fmt: skip
        return page.items
    if kind == "random":
        return selections.random_albums(catalog, limit=size)
    if kind == "byYear":
        from_year, to_year = call.get_int("fromYear"), call.get_int("toYear")
        if from_year is None or to_year is None:
            raise missing("fromYear" if from_year is None else "toYear")
        return selections.albums_by_year(catalog, from_year, to_year, offset=offset, limit=size)
    if kind == "byGenre":
        genre = call.require("genre")
        return selections.albums_by_genre(catalog, genre, offset=offset, limit=size)
    if kind in OWN:
        ids = _own_album_ids(call, kind, offset + size)
        return albums_in_order(catalog, ids)[offset : offset + size]
    if kind == "highest":  # no ratings are kept: nothing is rated
        return []
    raise invalid("type", f"{kind[:40]!r} is not one of {', '.join(TYPES)}")


def get_album_list2(call: SubsonicCall) -> dict[str, Any]:
    albums = select_albums(call)
    context = entry_context(call)
    genres = selections.album_genres(call.state.engine.catalog, [a["id"] for a in albums])
    return {"albumList2": {"album": [album_entry(a, context, genres.get(a["id"]))
                                     for a in albums]}}  # fmt: skip


def get_album_list(call: SubsonicCall) -> dict[str, Any]:
    albums = select_albums(call)
    context = entry_context(call)
    return {"albumList": {"album": [album_directory(a, context) for a in albums]}}


def get_random_songs(call: SubsonicCall) -> dict[str, Any]:
    records = selections.random_tracks(
        call.state.engine.catalog, limit=call.get_int("size", 10, minimum=0, maximum=MAX_SIZE) or 0,
        genre=call.get("genre"), from_year=call.get_int("fromYear"), to_year=call.get_int("toYear"),
    )  # fmt: skip
    context = entry_context(call)
    return {"randomSongs": {"song": [song_entry(r, context) for r in records]}}


METHODS = {
    "getAlbumList2": Method(blocking(get_album_list2)),
    "getAlbumList": Method(blocking(get_album_list)),
    "getRandomSongs": Method(blocking(get_random_songs)),
}
