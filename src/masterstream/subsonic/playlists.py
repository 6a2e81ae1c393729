"""Playlists: ``getPlaylists``, ``getPlaylist``, ``createPlaylist``, ``updatePlaylist``
and ``deletePlaylist``.

A user sees their own playlists and everyone's public ones; only the owner (or an admin)
changes or deletes one (error 50 otherwise). A playlist lists the songs the catalog still
has, and ``songIndexToRemove`` counts positions in that list, as the client saw it.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any

from ..users.playlists import PlaylistAccessError, PlaylistNotFoundError
from .annotations import users_store
from .call import Method, SubsonicCall
from .context import entry_context
from .entries import song_entry
from .errors import NOT_AUTHORISED, SubsonicError, invalid, missing, not_found
from .ids import parse_id, parse_ids
from .lookup import tracks_in_order

if TYPE_CHECKING:
    from ..library.records import TrackRecord
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


async def _run(work: Any, *args: Any) -> Any:
    """``work(*args)`` in a thread, with the store's playlist errors as Subsonic errors."""
    try:
        return await asyncio.to_thread(work, *args)
    except PlaylistNotFoundError as exc:
        raise not_found(f"playlist {playlist_id(exc.playlist_id)}") from exc
    except PlaylistAccessError as exc:
        raise SubsonicError(NOT_AUTHORISED, str(exc)) from exc


async def get_playlists(call: SubsonicCall) -> dict[str, Any]:
    user = call.user
    name = call.get("username")
    if name is not None and (user is None or (name.lower() != user.name.lower()
                                              and not user.is_admin)):  # fmt: skip
        raise SubsonicError(NOT_AUTHORISED, "only an admin lists another user's playlists")

    def work() -> list[dict[str, Any]]:
        if user is None:
            return []
        store = users_store(call)
        owner = store.accounts.get(name) if name is not None else user
        catalog = call.state.engine.catalog
        return [playlist_entry(p, tracks_in_order(catalog, p.track_ids))
                for p in store.playlists.list(owner)]  # fmt: skip

    return {"playlists": {"playlist": await _run(work)}}


async def get_playlist(call: SubsonicCall) -> dict[str, Any]:
    user, number = call.require_user(), parse_id(call, "id", "playlist")

    def work() -> dict[str, Any]:
        return _with_songs(call, users_store(call).playlists.visible(user, number))

    return await _run(work)


def _songs(call: SubsonicCall, name: str) -> list[int]:
    """The songs of repeated parameter ``name`` (error 70 for one the catalog lacks)."""
    ids = parse_ids(call, name, "track")
    found = {t.id for t in tracks_in_order(call.state.engine.catalog, ids)}
    for track_id in ids:
        if track_id not in found:
            raise not_found(f"song {track_id}")
    return ids


async def create_playlist(call: SubsonicCall) -> dict[str, Any]:
    """A new playlist (``name``) or, with ``playlistId``, new songs for that one."""
    user = call.require_user()
    name = call.get("name")
    number = parse_id(call, "playlistId", "playlist") if call.get("playlistId") else None
    if number is None and name is None:
        raise missing("name")

    def work() -> dict[str, Any]:
        songs, playlists = _songs(call, "songId"), users_store(call).playlists
        if number is None:
            return _with_songs(call, playlists.create(user, name or "", songs))
        return _with_songs(call, playlists.update(user, number, name=name, track_ids=songs))

    return await _run(work)


async def update_playlist(call: SubsonicCall) -> dict[str, Any]:
    user, number = call.require_user(), parse_id(call, "playlistId", "playlist")
    indexes = [call_index(value) for value in call.get_all("songIndexToRemove")]

    def work() -> None:
        playlists = users_store(call).playlists
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

    await _run(work)
    return {}


def call_index(value: str) -> int:
    if not value.strip().isdigit():
        raise invalid("songIndexToRemove", f"not a position: {value[:40]!r}")
    return int(value)


async def delete_playlist(call: SubsonicCall) -> dict[str, Any]:
    user, number = call.require_user(), parse_id(call, "id", "playlist")
    await _run(users_store(call).playlists.delete, user, number)
    return {}


METHODS = {
    "getPlaylists": Method(get_playlists),
    "getPlaylist": Method(get_playlist),
    "createPlaylist": Method(create_playlist),
    "updatePlaylist": Method(update_playlist),
    "deletePlaylist": Method(delete_playlist),
}
