"""Catalog items by id, for lists kept by users (stars, plays, playlists).

Users' lists hold ids and the catalog may have lost some since (a rescan removes a
track): what is gone is skipped, the order and repeats of the list are kept.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, TypeVar

from ..errors import ArtistNotFoundError
from ..library.browse import get_artist
from ..library.selections import MAX_IDS, albums_by_ids, tracks_by_ids

if TYPE_CHECKING:
    from ..library.catalog import Catalog
    from ..library.records import TrackRecord

T = TypeVar("T")


def tracks_in_order(catalog: Catalog, ids: Sequence[int]) -> list[TrackRecord]:
    """The tracks of ``ids`` that exist, in the order given (an id given twice: twice)."""
    return _in_order(lambda some: tracks_by_ids(catalog, some), lambda t: t.id, ids)


def albums_in_order(catalog: Catalog, ids: Sequence[int]) -> list[dict[str, Any]]:
    """The albums of ``ids`` that exist, in the order given."""
    return _in_order(lambda some: albums_by_ids(catalog, some), lambda a: a["id"], ids)


def _in_order(
    fetch: Callable[[list[int]], list[T]], key: Callable[[T], int], ids: Sequence[int]
) -> list[T]:
    unique = list(dict.fromkeys(ids))
    found: dict[int, T] = {}
    for start in range(0, len(unique), MAX_IDS):
        found.update((key(item), item) for item in fetch(unique[start : start + MAX_IDS]))
    return [found[i] for i in ids if i in found]


def artists_in_order(catalog: Catalog, ids: Sequence[int]) -> list[dict[str, Any]]:
    """The artists of ``ids`` that exist, in the order given (with their albums)."""
    found = []
    for artist_id in ids:
        try:
            found.append(get_artist(catalog, artist_id))
        except ArtistNotFoundError:
            continue
    return found
