"""A playlist round trip through py-opensonic against a running ``masterstream serve``:
create, add, remove by index, rename, make public, delete; another user sees a public
playlist but cannot change it (error 50)."""

from __future__ import annotations

import pytest
from libopensonic.errors import AuthError, DataNotFoundError

from tests.subsonic.user_server import UserServer, connection_fixture, server_fixture, songs_fixture

pytestmark = pytest.mark.timeout(300)


server = server_fixture()
songs = songs_fixture
alice = connection_fixture("alice")
bob = connection_fixture("bob")


def titles(playlist) -> list[str]:
    return [song.title for song in playlist.entry or []]


def test_round_trip(server: UserServer, songs, alice, bob) -> None:
    groove, thin, low = songs["Groove"], songs["Thin"], songs["Low"]
    assert alice.create_playlist(name="Road trip", song_ids=[groove, thin, groove])
    (made,) = [p for p in alice.get_playlists() if p.name == "Road trip"]
    assert made.id.startswith("pl-") and made.owner == "alice" and made.song_count == 3
    assert made.duration == 42 + 12 + 42
    assert alice.update_playlist(made.id, song_ids_to_add=[low], song_indices_to_remove=[0])
    assert titles(alice.get_playlist(made.id)) == ["Thin", "Groove", "Low"]
    assert alice.update_playlist(made.id, name="Trip", comment="summer")
    server.ok("alice", "updatePlaylist", playlistId=made.id, public="true")
    renamed = alice.get_playlist(made.id)
    assert (renamed.name, renamed.comment, renamed.public) == ("Trip", "summer", True)
    # bob sees the public playlist, and cannot change or delete it
    assert [p.id for p in bob.get_playlists()] == [made.id]
    assert titles(bob.get_playlist(made.id)) == ["Thin", "Groove", "Low"]
    with pytest.raises(AuthError):
        bob.update_playlist(made.id, name="mine now")
    with pytest.raises(AuthError):
        bob.delete_playlist(made.id)
    with pytest.raises(AuthError):
        bob.create_playlist(playlist_id=made.id, song_ids=[low])
    assert alice.get_playlist(made.id).name == "Trip"
    # createPlaylist with playlistId replaces the songs
    assert alice.create_playlist(playlist_id=made.id, song_ids=[low, thin])
    assert titles(alice.get_playlist(made.id)) == ["Low", "Thin"]
    assert alice.delete_playlist(made.id)
    with pytest.raises(DataNotFoundError):
        alice.get_playlist(made.id)


def test_private_playlists_stay_private(server: UserServer, songs, alice, bob) -> None:
    assert bob.create_playlist(name="Bob's", song_ids=[songs["Low"]])
    (mine,) = [p for p in bob.get_playlists() if p.name == "Bob's"]
    assert mine.public is False
    assert "Bob's" not in [p.name for p in alice.get_playlists()]
    answer = server.rest("alice", "getPlaylists", username="bob").json()["subsonic-response"]
    assert [p["name"] for p in answer["playlists"]["playlist"]] == ["Bob's"]  # an admin may
    denied = server.rest("bob", "getPlaylists", username="alice").json()["subsonic-response"]
    assert denied["error"]["code"] == 50
    with pytest.raises(DataNotFoundError):
        bob.get_playlist("pl-987654")


def test_bad_songs_and_indexes_are_errors(server: UserServer, songs, alice) -> None:
    with pytest.raises(DataNotFoundError):
        alice.create_playlist(name="ghosts", song_ids=["987654"])
    assert "ghosts" not in [p.name for p in alice.get_playlists()]
    assert alice.create_playlist(name="short", song_ids=[songs["Thin"]])
    (short,) = [p for p in alice.get_playlists() if p.name == "short"]
    answer = server.rest("alice", "updatePlaylist", playlistId=short.id,
                         songIndexToRemove="1").json()["subsonic-response"]  # fmt: skip
    assert answer["status"] == "failed" and answer["error"]["code"] == 0
    assert titles(alice.get_playlist(short.id)) == ["Thin"]
    nameless = server.rest("alice", "createPlaylist", songId=songs["Thin"]).json()
    assert nameless["subsonic-response"]["error"]["code"] == 10
