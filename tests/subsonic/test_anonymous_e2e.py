"""A server without users, asked from loopback without credentials: it streams with the
server's defaults (mastered WAV), lists no stars or playlists, and refuses to keep any
(there is no user to keep them for: error 50)."""

from __future__ import annotations

import httpx
import pytest

from tests.subsonic.user_server import UserServer, server_fixture

pytestmark = pytest.mark.timeout(300)
server = server_fixture(users=False)


def anonymous(server: UserServer, method: str, **params: str) -> httpx.Response:
    return httpx.get(f"{server.base_url}/rest/{method}", params={"f": "json", **params},
                     timeout=120.0)  # fmt: skip


def song_id(server: UserServer, title: str) -> str:
    found = anonymous(server, "search3", query=title).json()["subsonic-response"]
    return next(s["id"] for s in found["searchResult3"]["song"] if s["title"] == title)


def test_streams_with_the_server_defaults(server: UserServer) -> None:
    answer = anonymous(server, "stream", id=song_id(server, "Low"))
    assert answer.status_code == 200 and answer.headers["content-type"] == "audio/wav"
    assert answer.content[:4] == b"RIFF"
    assert len(answer.content) == 44 + 8 * 44100 * 2 * 2  # 8 s of 16-bit stereo at 44.1 kHz


def test_nothing_is_kept_without_a_user(server: UserServer) -> None:
    low = song_id(server, "Low")
    for method, params in (("star", {"id": low}), ("scrobble", {"id": low}),
                           ("createPlaylist", {"name": "x", "songId": low})):  # fmt: skip
        error = anonymous(server, method, **params).json()["subsonic-response"]["error"]
        assert error["code"] == 50, method
    starred = anonymous(server, "getStarred2").json()["subsonic-response"]["starred2"]
    assert not any(starred.values())
    playlists = anonymous(server, "getPlaylists").json()["subsonic-response"]["playlists"]
    assert not playlists.get("playlist")
