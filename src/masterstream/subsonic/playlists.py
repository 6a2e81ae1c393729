"""Playlists: ``getPlaylists``, ``getPlaylist``, ``createPlaylist``, ``updatePlaylist``
and ``deletePlaylist``.

A user sees their own playlists and everyone's public ones; only the owner (or an admin)
changes or deletes one (error 50 otherwise). A playlist lists the songs the catalog still
has, and ``songIndexToRemove`` counts positions in that list, as the client saw it.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from ..users import UserNotFoundError
from ..users.playlists import PlaylistAccessError, PlaylistNotFoundError
from .annotations import users_store
from .call import Method, SubsonicCall, blocking
from .context import entry_context
from .entries import song_entry
from .errors import NOT_AUTHORISED, SubsonicError, invalid, missing, not_found
from .ids import parse_id, parse_ids
from .lookup import tracks_in_order

if TYPE_CHECKING:
    from ..library.records import TrackRecord
    from ..users import UserNotFoundError
from ..users.playlists import Playlist


def playlist_id(number: int) -> str:
    return f"pl-{number}"


def playlist_entry(playlist: Playlist, tracks: list[TrackRecord]) -> dict[str, Any]:
    """The ``Playlist`` element (without its songs) of ``playlist`` holding ``tracks``."""
    return {
        "id": playlist_id(playlist.id),
        "name": playlist.name,
        "comment": playlist.comment or None,
        "owner": playlist.owner,
        "public": playlist.public,
        "songCount": len(tracks),
        "duration": round(sum(t.duration_s for t in tracks)),
        "created": playlist.created_at,
        "changed": playlist.changed_at,
        "coverArt": f"tr-{tracks[0].id}" if tracks else None,
    }


def _with_songs(call: SubsonicCall, playlist: Playlist) -> dict[str, Any]:
    tracks = tracks_in_order(call.state.engine.catalog, playlist.track_ids)
    context = entry_context(call)
    entries = [song_entry(t, context) for t in tracks]
    return {"playlist": {**playlist_entry(playlist, tracks), "entry": entries}}


@contextmanager
def playlist_errors() -> Iterator[None]:
    """The store's playlist errors as Subsonic errors (70, 50)."""
    try:
        yield
    except PlaylistNotFoundError as exc:
        raise not_found(f"playlist {playlist_id(exc.playlist_id)}") from exc
    except PlaylistAccessError as exc:
        raise SubsonicError(NOT_AUTHORISED, str(exc)) from exc


def get_playlists(call: SubsonicCall) -> dict[str, Any]:
    user, name = call.user, call.get("username")
    if user is None:
        return {"playlists": {"playlist": []}}
    if name is not None and name.lower() != user.name.lower() and not user.is_admin:
        raise SubsonicError(NOT_AUTHORISED, "only an admin lists another user's playlists")
    store, catalog = users_store(call), call.state.engine.catalog
    try:
        owner = store.accounts.get(name) if name is not None else user
    except UserNotFoundError as exc:
        raise not_found(f"user {name[:64]!r}") from exc
    listed = [playlist_entry(p, tracks_in_order(catalog, p.track_ids))
              for p in store.playlists.list(owner)]  # fmt: skip
    return {"playlists": {"playlist": listed}}


def get_playlist(call: SubsonicCall) -> dict[str, Any]:
    user, number = call.require_user(), parse_id(call, "id", "playlist")
    with playlist_errors():
        return _with_songs(call, users_store(call).playlists.visible(user, number))


def _songs(call: SubsonicCall, name: str) -> list[int]:
    """The songs of repeated parameter ``name`` (error 70 for one the catalog lacks)."""
    ids = parse_ids(call, name, "track")
    found = {t.id for t in tracks_in_order(call.state.engine.catalog, ids)}
    for track_id in ids:
        if track_id not in found:
            raise not_found(f"song {track_id}")
    return ids


def create_playlist(call: SubsonicCall) -> dict[str, Any]:
    """A new playlist (``name``) or, with ``playlistId``, new songs for that one."""
    user, name = call.require_user(), call.get("name")
    number = parse_id(call, "playlistId", "playlist") if call.get("playlistId") else None
    if number is None and name is None:
        raise missing("name")
    songs, playlists = _songs(call, "songId"), users_store(call).playlists
    with playlist_errors():
        if number is None:
            return _with_songs(call, playlists.create(user, name or "", songs))
        return _with_songs(call, playlists.update(user, number, name=name, track_ids=songs))


def update_playlist(call: SubsonicCall) -> dict[str, Any]:
    user, number = call.require_user(), parse_id(call, "playlistId", "playlist")
    indexes = [position(value) for value in call.get_all("songIndexToRemove")]
    playlists = users_store(call).playlists
    with playlist_errors():
        playlist = playlists.changeable(user, number)
        present = {t.id for t in tracks_in_order(call.state.engine.catalog, playlist.track_ids)}
        shown = [i for i, t in enumerate(playlist.track_ids) if t in present]
        if any(index >= len(shown) for index in indexes):
            raise invalid("songIndexToRemove", f"the playlist has {len(shown)} songs")
        playlists.update(
            user, number, name=call.get("name"), comment=call.get("comment"),
            public=call.get_bool("public"), remove_positions=[shown[i] for i in indexes],
            add_track_ids=_songs(call, "songIdToAdd"),
        )  # fmt: skip
    return {}


def position(value: str) -> int:
    """A ``songIndexToRemove`` value: a position in the playlist as listed."""
    if not value.strip().isdigit():
        raise invalid("songIndexToRemove", f"not a position: {value[:40]!r}")
    return int(value)


def delete_playlist(call: SubsonicCall) -> dict[str, Any]:
    user, number = call.require_user(), parse_id(call, "id", "playlist")
    with playlist_errors():
        users_store(call).playlists.delete(user, number)
    return {}


METHODS = {
    "getPlaylists": Method(blocking(get_playlists)),
    "getPlaylist": Method(blocking(get_playlist)),
    "createPlaylist": Method(blocking(create_playlist)),
    "updatePlaylist": Method(blocking(update_playlist)),
    "deletePlaylist": Method(blocking(delete_playlist)),
}
