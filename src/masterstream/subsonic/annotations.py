"""Stars, scrobbles and now playing: ``star``, ``unstar``, ``getStarred2``,
``getStarred``, ``scrobble`` and ``getNowPlaying``.

Stars and plays are the user's own (:mod:`masterstream.users.stars`, ``.plays``); the
anonymous loopback client of a server without users has none (it reads empty lists and
may not write). Listing skips items the catalog no longer has.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..library.browse import get_artist
from .call import Method, SubsonicCall, blocking
from .context import entry_context
from .entries import EntryContext, album_directory, album_entry, artist_entry, song_entry
from .errors import missing, not_found
from .ids import split_id
from .lookup import albums_in_order, artists_in_order, tracks_in_order

if TYPE_CHECKING:
    from ..users import UserStore

STAR_KINDS = {"track": "song", "album": "album", "artist": "artist"}
ID_PARAMS = {"albumId": "album", "artistId": "artist"}
NOW_PLAYING_SLACK_S = 60.0


def users_store(call: SubsonicCall) -> UserStore:
    return call.request.app.state.auth.store


def starred_items(call: SubsonicCall) -> list[tuple[str, int]]:
    """``(kind, id)`` of every ``id`` (a song, ``al-``/``ar-`` id), ``albumId`` and
    ``artistId`` given; error 10 when there is none, 70 for an id of nothing starrable."""
    items = []
    for name in ("id", *ID_PARAMS):
        for value in call.get_all(name):
            found = split_id(value)
            wanted = ID_PARAMS.get(name)
            if found is None or found[0] not in STAR_KINDS or wanted not in (None, found[0]):
                raise not_found(f"item {value[:40]!r}")
            items.append((STAR_KINDS[found[0]], found[1]))
    if not items:
        raise missing("id")
    return items


def _check_exist(call: SubsonicCall, items: list[tuple[str, int]]) -> None:
    catalog = call.state.engine.catalog
    tracks = [i for kind, i in items if kind == "song"]
    albums = [i for kind, i in items if kind == "album"]
    known = {("song", t.id) for t in tracks_in_order(catalog, tracks)}
    known |= {("album", a["id"]) for a in albums_in_order(catalog, albums)}
    for kind, item_id in items:
        if kind == "artist":
            get_artist(catalog, item_id)  # ArtistNotFoundError: error 70
        elif (kind, item_id) not in known:
            raise not_found(f"{kind} {item_id}")


def star(call: SubsonicCall) -> dict[str, Any]:
    user, items = call.require_user(), starred_items(call)
    _check_exist(call, items)
    users_store(call).stars.star(user.id, items)
    return {}


def unstar(call: SubsonicCall) -> dict[str, Any]:
    user, items = call.require_user(), starred_items(call)
    users_store(call).stars.unstar(user.id, items)
    return {}


def starred_entries(call: SubsonicCall, *, id3: bool) -> dict[str, list[dict[str, Any]]]:
    """The user's starred artists, albums and songs as entries, the latest first (albums
    as ``AlbumID3`` when ``id3``, else as directories)."""
    if call.user is None:
        return {"artist": [], "album": [], "song": []}
    stars = users_store(call).stars.list(call.user.id)
    ids = {kind: [s.item_id for s in stars if s.kind == kind] for kind in STAR_KINDS.values()}
    catalog, context = call.state.engine.catalog, entry_context(call)
    return {
        "artist": [artist_entry(a, context) for a in artists_in_order(catalog, ids["artist"])],
        "album": [
            (album_entry if id3 else album_directory)(a, context)
            for a in albums_in_order(catalog, ids["album"])
        ],
        "song": [song_entry(t, context) for t in tracks_in_order(catalog, ids["song"])],
    }


def get_starred2(call: SubsonicCall) -> dict[str, Any]:
    return {"starred2": starred_entries(call, id3=True)}


def get_starred(call: SubsonicCall) -> dict[str, Any]:
    return {"starred": starred_entries(call, id3=False)}


def scrobble(call: SubsonicCall) -> dict[str, Any]:
    """``submission=true`` (the default) counts a play of each ``id`` at its ``time`` (ms
    since the epoch; now without one); ``false`` says the client started playing it."""
    user = call.require_user()
    ids = call.get_all("id")
    if not ids:
        raise missing("id")
    times = [int(t) if t.strip().isdigit() else None for t in call.get_all("time")]
    submission = call.get_bool("submission", True)
    store, player = users_store(call), call.client_name or "subsonic"
    for i, value in enumerate(ids):
        found = split_id(value)
        if found is None or found[0] != "track" or value.startswith("tr-"):
            raise not_found(f"song {value[:40]!r}")
        track = call.state.engine.library.get(found[1])
        if not submission:
            ttl_s = track.duration_s + NOW_PLAYING_SLACK_S
            store.plays.now_playing(user.id, player, track.id, ttl_s=ttl_s)
            continue
        played_ms = times[i] if i < len(times) else None
        store.plays.record(
            user.id, track.id, album_id=track.album_id, artist_id=track.artist_id,
            played_at_s=None if played_ms is None else played_ms / 1000.0,
        )  # fmt: skip
    return {}


def now_playing_entries(call: SubsonicCall, context: EntryContext) -> list[dict[str, Any]]:
    store = users_store(call)
    playing = store.plays.playing_now()
    tracks = {t.id: t for t in tracks_in_order(call.state.engine.catalog,
                                               [p.track_id for p in playing])}  # fmt: skip
    now_s = store.plays.clock()
    entries = []
    for number, entry in enumerate(playing):
        track = tracks.get(entry.track_id)
        if track is not None:
            entries.append({**song_entry(track, context), "username": entry.user_name,
                            "minutesAgo": int((now_s - entry.started_at_s) // 60),
                            "playerId": number, "playerName": entry.player})  # fmt: skip
    return entries


def get_now_playing(call: SubsonicCall) -> dict[str, Any]:
    return {"nowPlaying": {"entry": now_playing_entries(call, entry_context(call))}}


METHODS = {
    "star": Method(blocking(star)),
    "unstar": Method(blocking(unstar)),
    "getStarred2": Method(blocking(get_starred2)),
    "getStarred": Method(blocking(get_starred)),
    "scrobble": Method(blocking(scrobble)),
    "getNowPlaying": Method(blocking(get_now_playing)),
}
