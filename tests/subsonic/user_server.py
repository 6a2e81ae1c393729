"""A running ``masterstream serve`` over tagged music, with users who enabled Subsonic
access, and the py-opensonic client connected to it as one of them."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import libopensonic
import pytest
import soundfile as sf
from mutagen.flac import FLAC

from masterstream.subsonic.auth import token
from masterstream.users import Role, UserSettings, UserStore
from masterstream.users.passwords import FAST_TEST_PARAMETERS
from tests.e2e.server_process import ServerProcess
from tests.mastering.material import make_track

RATE = 44100
PASSWORDS = {"alice": "alice-subsonic-pw", "bob": "bob-subsonic-pw"}  # alice is the admin
TRACKS = {  # path: (seconds, material, Vorbis comments)
    "Band/First/01.flac": (42.0, "music", {"title": "Groove", "tracknumber": "1"}),
    "Band/First/02.flac": (12.0, "thin", {"title": "Thin", "tracknumber": "2"}),
    "Other/Second/01.flac": (8.0, "bass_heavy", {"title": "Low", "tracknumber": "1"}),
}
ALICE_SETTINGS = UserSettings(default_preset="bright", default_format="opus",
                              default_bitrate_kbps=128)  # fmt: skip
ALBUMS = {"Band/First": ("Band", "First"), "Other/Second": ("Other", "Second")}


def write_library(root: Path) -> Path:
    """Three tagged FLAC tracks of synthesised music on two albums by two artists."""
    for relative, (seconds, kind, tags) in TRACKS.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        sf.write(path, make_track(kind, RATE, seconds, 2), RATE, subtype="PCM_16")
        artist, album = ALBUMS[str(Path(relative).parent)]
        flac = FLAC(path)
        flac.update({"artist": artist, "albumartist": artist, "album": album, **tags})
        flac.save()
    return root


def add_users(data_dir: Path) -> str:
    """alice (an admin who listens to ``bright`` in Opus by default) and bob (the server's
    defaults), both with Subsonic access; returns an API key of alice's."""
    with UserStore(data_dir / "catalog.sqlite3", hashing=FAST_TEST_PARAMETERS) as store:
        for name, password in PASSWORDS.items():
            role = Role.ADMIN if name == "alice" else Role.USER
            user = store.accounts.add(name, "sign-in " + password, role)
            store.subsonic.enable(user, password)
        alice = store.accounts.get("alice")
        store.accounts.put_settings(alice.id, ALICE_SETTINGS)
        return store.keys.create(alice).secret


@dataclass
class UserServer:
    process: ServerProcess
    library: Path
    api_key: str  # alice's, for /api

    @property
    def base_url(self) -> str:
        return self.process.base_url

    def connect(self, name: str) -> libopensonic.Connection:
        """py-opensonic as ``name``, with salted-token auth (POSTed forms, ``.view``)."""
        return libopensonic.Connection("http://127.0.0.1", name, PASSWORDS[name],
                                       port=self.process.port)  # fmt: skip

    def params(self, name: str, **params: Any) -> dict[str, Any]:
        """Token-auth parameters of ``name`` plus ``params`` (for plain HTTP requests)."""
        return {"u": name, "s": "s4lt", "t": token(PASSWORDS[name], "s4lt"), "v": "1.16.1",
                "c": "tests", "f": "json", **params}  # fmt: skip

    def rest(self, name: str, method: str, **params: Any) -> httpx.Response:
        return httpx.get(f"{self.base_url}/rest/{method}", params=self.params(name, **params),
                         timeout=120.0)  # fmt: skip

    def ok(self, name: str, method: str, **params: Any) -> dict[str, Any]:
        """The ``subsonic-response`` of a JSON call that must succeed."""
        answer = self.rest(name, method, **params).json()["subsonic-response"]
        if answer["status"] != "ok":
            raise AssertionError(f"{method} failed: {answer.get('error')}")
        return answer


def start(root: Path, *args: str, users: bool = True, timeout_s: float = 120.0) -> UserServer:
    """The server (``args``: more ``serve`` options; without ``users``, none exist and
    loopback clients need no credentials), once its scan has indexed every track (stopped
    if it never does)."""
    library = write_library(root / "music")
    api_key = add_users(root / "data") if users else ""
    process = ServerProcess(root, "--library", str(library), "--data-dir", str(root / "data"),
                            "--cache-dir", str(root / "cache"), *args)  # fmt: skip
    server = UserServer(process, library, api_key)
    try:
        process.start(timeout_s, wait_for_library=False)
        deadline = time.monotonic() + timeout_s
        while len(track_ids(server)) < len(TRACKS):
            if time.monotonic() > deadline:
                raise RuntimeError(f"the library was not indexed:\n{process.log()}")
            time.sleep(0.1)
    except BaseException:
        process.stop()
        raise
    return server


def close(connection: libopensonic.Connection) -> None:
    """End py-opensonic's session, its event loop thread and the loop itself."""
    connection.cleanup()
    connection._loop.close()


def read_body(connection: libopensonic.Connection, response: Any) -> bytes:
    """The body of a binary answer of py-opensonic (an aiohttp response on its own loop)."""
    return asyncio.run_coroutine_threadsafe(response.read(), connection._loop).result(120)


def track_ids(server: UserServer) -> dict[str, str]:
    """Subsonic song id of each track, by title."""
    found = server.ok("alice", "search3", query="", songCount=50)["searchResult3"]
    return {song["title"]: song["id"] for song in found.get("song", [])}


def server_fixture(*args: str, users: bool = True) -> Callable[..., Iterator[UserServer]]:
    """A module-scoped fixture: the module's own server (see :func:`start`)."""

    @pytest.fixture(scope="module")
    def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[UserServer]:
        running = start(tmp_path_factory.mktemp("subsonic-server"), *args, users=users)
        yield running
        running.process.stop()

    return server


def connection_fixture(name: str) -> Callable[..., Iterator[libopensonic.Connection]]:
    """A fixture: py-opensonic connected to the module's ``server`` as ``name``."""

    @pytest.fixture(name=name)
    def connection(server: UserServer) -> Iterator[libopensonic.Connection]:
        connected = server.connect(name)
        yield connected
        close(connected)

    return connection


songs_fixture = pytest.fixture(scope="module", name="songs")(track_ids)
"""A module-scoped fixture ``songs``: the song ids of the module's server by title."""
