"""``search2`` and ``search3``: artists, albums and songs matching words as prefixes.

An empty query (``query=`` or ``query=""``, as Symfonium sends to sync a whole library,
or ``*``) lists everything, page by page with the ``*Offset`` parameters.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..library import browse
from .call import Method, SubsonicCall, blocking
from .context import entry_context
from .entries import album_directory, album_entry, artist_entry, song_entry

MAX_COUNT = 500
DEFAULT_COUNT = 20
MAX_QUERY_CHARS = 200


def _query(call: SubsonicCall) -> str | None:
    """The words to match (None: everything)."""
    text = (call.get("query") or "")[:MAX_QUERY_CHARS].strip().strip('"*').strip()
    return text or None


def _page(call: SubsonicCall, kind: str) -> tuple[int, int]:
    count = call.get_int(f"{kind}Count", DEFAULT_COUNT, minimum=0, maximum=MAX_COUNT) or 0
    return count, call.get_int(f"{kind}Offset", 0, minimum=0) or 0


def _found(call: SubsonicCall) -> tuple[list[Any], list[Any], list[Any]]:
    catalog = call.state.engine.catalog
    q = _query(call)
    found = []
    for kind, listing in (("artist", browse.list_artists), ("album", browse.list_albums),
                          ("song", browse.list_tracks)):  # fmt: skip
        count, offset = _page(call, kind)
        page = (
            listing(catalog, q=q, offset=offset, limit=count, with_total=False) if count else None
        )
        found.append(page.items if page is not None else [])
    return found[0], found[1], found[2]


def _answer(call: SubsonicCall, key: str, album_shape: Callable[..., Any]) -> dict[str, Any]:
    artists, albums, songs = _found(call)
    context = entry_context(call)
    return {key: {
        "artist": [artist_entry(a, context) for a in artists],
        "album": [album_shape(a, context) for a in albums],
        "song": [song_entry(r, context) for r in songs],
    }}  # fmt: skip


def search3(call: SubsonicCall) -> dict[str, Any]:
    """Albums as ``AlbumID3``."""
    return _answer(call, "searchResult3", album_entry)


def search2(call: SubsonicCall) -> dict[str, Any]:
    """Albums as directories (``Child``)."""
    return _answer(call, "searchResult2", album_directory)


METHODS = {
    "search2": Method(blocking(search2)),
    "search3": Method(blocking(search3)),
}
