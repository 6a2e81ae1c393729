"""A real Subsonic client library (py-opensonic) against a running ``masterstream serve``
on the demo library, with users, Subsonic passwords and an API key made by the CLI."""

from __future__ import annotations

import asyncio
import contextlib
import io
from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest
from libopensonic import Connection
from libopensonic.errors import AuthError, CredentialError, DataNotFoundError, ParameterError
from PIL import Image

from masterstream.library import DEMO_TRACKS
from tests.subsonic.conftest import ADMIN, LISTENER, Served

pytestmark = pytest.mark.timeout(300)


@contextlib.contextmanager
def connect(served: Served, **credentials: object) -> Iterator[Connection]:
    """A py-opensonic connection, closed with the private event loop it runs on (the
    library stops that loop but leaves it open)."""
    parts = urlsplit(served.url)
    connection = Connection(f"{parts.scheme}://{parts.hostname}", port=parts.port or 80,
                            app_name="masterstream-tests", **credentials)  # fmt: skip
    try:
        yield connection
    finally:
        connection.cleanup()
        connection._thread.join(10)
        connection._loop.close()


def read_body(connection: Connection, response: object) -> bytes:
    """The body of a binary answer (py-opensonic hands back the open aiohttp response)."""
    return asyncio.run_coroutine_threadsafe(response.read(), connection._loop).result(30)


@pytest.fixture(scope="module")
def admin(served: Served) -> Iterator[Connection]:
    with connect(served, username=ADMIN, password=served.admin_password) as connection:
        yield connection


def test_token_auth_and_api_key_connect(served: Served, admin: Connection):
    assert admin.ping() is True
    with connect(served, api_key=served.api_key) as keyed:
        assert keyed.ping() is True
        assert keyed.get_user(ADMIN).admin_role is True


def test_legacy_plain_password_connects(served: Served):
    with connect(served, username=LISTENER, password=served.listener_password,
                 legacy_auth=True) as legacy:  # fmt: skip
        assert legacy.ping() is True


def test_wrong_password_raises_error_40(served: Served):
    wrong = connect(served, username=ADMIN, password="not the subsonic password")
    with wrong as connection, pytest.raises(CredentialError):
        connection.ping()


def test_sign_in_password_is_not_the_subsonic_password(served: Served):
    login = connect(served, username=ADMIN, password="sign-in password 1")
    with login as connection, pytest.raises(CredentialError):
        connection.ping()


def test_browse_artists_albums_songs(admin: Connection):
    artists = [a for index in admin.get_artists().index for a in index.artist]
    assert artists, "the demo library has album artists"
    total_songs = 0
    for artist in artists:
        detail = admin.get_artist(artist.id)
        assert detail.name == artist.name and detail.album
        for album in detail.album:
            full = admin.get_album(album.id)
            assert full.song_count == len(full.song) > 0
            for song in full.song:
                assert song.album_id == album.id and song.is_dir is False
                assert song.duration > 0 and song.type == "music"
                assert admin.get_song(song.id).title == song.title
            total_songs += len(full.song)
    assert total_songs == len(DEMO_TRACKS)


def test_music_directory_walks_artist_to_album_to_songs(admin: Connection):
    index = admin.get_indexes()
    artist = index.index[0].artist[0]
    directory = admin.get_music_directory(artist.id)
    album = directory.child[0]
    assert album.is_dir is True
    songs = admin.get_music_directory(album.id).child
    assert songs and all(not song.is_dir for song in songs)


def test_search3_and_the_empty_query(admin: Connection):
    everything = admin.search3("", artist_count=100, album_count=100, song_count=100)
    assert len(everything.song) == len(DEMO_TRACKS)
    title = DEMO_TRACKS[1].title
    found = admin.search3(title.split()[0].lower()[:4], artist_count=0, album_count=0)
    assert title in [song.title for song in found.song]
    assert len(found.song) < len(DEMO_TRACKS)
    page = admin.search3("", artist_count=0, album_count=0, song_count=2, song_offset=2)
    assert [s.id for s in page.song] == [s.id for s in everything.song[2:4]]


def test_cover_art_with_size_decodes(admin: Connection):
    album = admin.get_album_list2("alphabeticalByName", size=1)[0]
    response = admin.get_cover_art(album.cover_art, size=128)
    assert response.headers["Content-Type"] == "image/jpeg"
    image = Image.open(io.BytesIO(read_body(admin, response)))
    assert image.format == "JPEG"
    assert max(image.size) == 128


def test_get_user_own_and_others(served: Served, admin: Connection):
    assert admin.get_user(ADMIN).admin_role is True
    assert admin.get_user(LISTENER).admin_role is False  # an admin may look
    with connect(served, username=LISTENER, password=served.listener_password) as listener:
        assert listener.get_user(LISTENER).username == LISTENER
        with pytest.raises(AuthError, match="admin"):
            listener.get_user(ADMIN)


def test_missing_parameter_is_10_and_unknown_id_is_70(admin: Connection):
    with pytest.raises(DataNotFoundError):
        admin.get_album("al-999999")
    with pytest.raises(DataNotFoundError):
        admin.get_song("999999")
    with pytest.raises(ParameterError):
        admin.get_album_list2("byGenre")  # genre is required


def test_album_lists_and_random_songs(admin: Connection):
    by_name = admin.get_album_list2("alphabeticalByName", size=50)
    names = [album.name for album in by_name]
    assert names == sorted(names, key=str.casefold)
    assert len(admin.get_album_list2("random", size=50)) == len(by_name)
    assert len(admin.get_album_list2("newest", size=50)) == len(by_name)
    assert admin.get_album_list2("starred") == []
    songs = admin.get_random_songs(size=3)
    assert len(songs) == 3 and len({s.id for s in songs}) == 3


def test_license_folders_genres_years_and_the_v1_lists(admin: Connection):
    assert admin.get_license()["license"]["valid"] is True
    genres = admin.get_genres()
    assert genres and sum(g.song_count for g in genres) <= len(DEMO_TRACKS)
    for genre in genres:
        albums = admin.get_album_list2("byGenre", genre=genre.value.upper(), size=50)
        assert len(albums) == genre.album_count
        assert all(genre.value in {s.genre for s in admin.get_album(a.id).song} for a in albums)
    years = sorted(a.year for a in admin.get_album_list2("alphabeticalByName", size=50) if a.year)
    assert years, "the demo albums are dated"
    span = admin.get_album_list2("byYear", from_year=years[-1], to_year=years[0], size=50)
    assert [a.year for a in span] == sorted(years, reverse=True)
    directories = admin.get_album_list("alphabeticalByName", size=50)
    assert [a.name for a in directories] == [a.name for a in admin.get_album_list2(
        "alphabeticalByName", size=50)]  # fmt: skip
    found = admin.search2(DEMO_TRACKS[0].title.split()[0], artist_count=0, album_count=0)
    assert DEMO_TRACKS[0].title in [song.title for song in found.song]
