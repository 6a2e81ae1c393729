"""Browsing methods: folders, indexes, directories, artists, albums, songs and genres."""

from __future__ import annotations

import time
import unicodedata
from typing import Any

from ..library import browse, selections
from .call import Method, SubsonicCall, blocking
from .context import entry_context
from .entries import EntryContext, album_directory, album_entry, artist_entry, song_entry
from .errors import not_found
from .ids import album_id, artist_id, parse_id, split_id

IGNORED_ARTICLES = ("The", "El", "La", "Los", "Las", "Le", "Les")
MUSIC_FOLDER = {"id": 1, "name": "Music"}
ALL = 1_000_000  # "every row" for listings the Subsonic API does not page


def index_name(name: str) -> tuple[str, str]:
    """(index letter, sort key) of an artist's name: leading articles aside, accents
    aside, ``#`` for names not starting with a letter."""
    words = name.split(maxsplit=1)
    if len(words) == 2 and words[0] in IGNORED_ARTICLES:
        name = words[1]
    key = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().casefold()
    first = key[:1].upper()
    return (first if first.isalpha() else "#"), key


def _artist_index(context: EntryContext, catalog: Any) -> list[dict[str, Any]]:
    artists = [a for a in browse.list_artists(catalog, limit=ALL, with_total=False).items
               if a["album_count"] > 0]  # fmt: skip
    groups: dict[str, list[tuple[str, dict[str, Any]]]] = {}
    for artist in artists:
        letter, key = index_name(artist["name"])
        groups.setdefault(letter, []).append((key, artist_entry(artist, context)))
    return [{"name": letter, "artist": [e for _, e in sorted(groups[letter], key=lambda p: p[0])]}
            for letter in sorted(groups, key=lambda g: (g == "#", g))]  # fmt: skip


def get_music_folders(call: SubsonicCall) -> dict[str, Any]:
    return {"musicFolders": {"musicFolder": [MUSIC_FOLDER]}}


def get_indexes(call: SubsonicCall) -> dict[str, Any]:
    index = _artist_index(entry_context(call), call.state.engine.catalog)
    return {"indexes": {"lastModified": int(time.time() * 1000),
                        "ignoredArticles": " ".join(IGNORED_ARTICLES), "index": index}}  # fmt: skip


def get_artists(call: SubsonicCall) -> dict[str, Any]:
    index = _artist_index(entry_context(call), call.state.engine.catalog)
    return {"artists": {"ignoredArticles": " ".join(IGNORED_ARTICLES), "index": index}}


def get_artist(call: SubsonicCall) -> dict[str, Any]:
    artist = browse.get_artist(call.state.engine.catalog, parse_id(call, "id", "artist"))
    context = entry_context(call)
    albums = [album_entry(a, context) for a in artist["albums"]]
    return {"artist": {**artist_entry(artist, context), "album": albums}}


def _album_with_songs(call: SubsonicCall, number: int) -> tuple[dict[str, Any], list[Any]]:
    context = entry_context(call)
    album, records = browse.get_album(call.state.engine.catalog, number)
    songs = [song_entry(r, context) for r in records]
    genres = [r.genre for r in records if r.genre]
    genre = max(set(genres), key=genres.count) if genres else None
    return album_entry(album, context, genre), songs


def get_album(call: SubsonicCall) -> dict[str, Any]:
    album, songs = _album_with_songs(call, parse_id(call, "id", "album"))
    return {"album": {**album, "song": songs}}


def get_song(call: SubsonicCall) -> dict[str, Any]:
    record = call.state.engine.catalog.get_track(parse_id(call, "id", "track"))
    return {"song": song_entry(record, entry_context(call))}


def get_music_directory(call: SubsonicCall) -> dict[str, Any]:
    """An artist's albums as directories, or an album's songs."""
    value = call.require("id")
    kind, number = split_id(value) or ("", 0)
    if kind == "artist":
        context = entry_context(call)
        artist = browse.get_artist(call.state.engine.catalog, number)
        children = [album_directory(a, context) for a in artist["albums"]]
        return {"directory": {"id": artist_id(number), "name": artist["name"],
                              "child": children}}  # fmt: skip
    if kind == "album":
        album, songs = _album_with_songs(call, number)
        return {"directory": {"id": album_id(number), "name": album["name"],
                              "parent": album["artistId"], "child": songs}}  # fmt: skip
    raise not_found(f"directory {value[:40]!r}")


def get_genres(call: SubsonicCall) -> dict[str, Any]:
    found = selections.genres(call.state.engine.catalog)
    return {"genres": {"genre": [{"value": g["name"], "songCount": g["track_count"],
                                  "albumCount": g["album_count"]} for g in found]}}  # fmt: skip


METHODS = {
    "getMusicFolders": Method(blocking(get_music_folders)),
    "getIndexes": Method(blocking(get_indexes)),
    "getArtists": Method(blocking(get_artists)),
    "getArtist": Method(blocking(get_artist)),
    "getAlbum": Method(blocking(get_album)),
    "getSong": Method(blocking(get_song)),
    "getMusicDirectory": Method(blocking(get_music_directory)),
    "getGenres": Method(blocking(get_genres)),
}
