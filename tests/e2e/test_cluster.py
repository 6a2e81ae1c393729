"""One library and one set of users for every server: three ``masterstream serve``
processes sharing a private PostgreSQL (catalog and users) and a redis-server (the shared
tier), over loopback. Every server lists the same ids, each track is analysed once in the
cluster, a user added through one server signs in through another, a session and an API
key work everywhere, and a playlist made on one server is seen on the others."""

from __future__ import annotations

import hashlib
import secrets
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import psycopg
import pytest
from tests.cache.redis_process import RedisProcess
from tests.conftest import write_tone
from tests.e2e.nginx_process import NginxProcess
from tests.e2e.server_process import ServerProcess

pytestmark = pytest.mark.timeout(300)
TOKEN = "cluster-admin-token"
ADMIN = {"Authorization": f"Bearer {TOKEN}"}
TRACKS = 5


@pytest.fixture(scope="module")
def workdir(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("cluster")
    (root / "music").mkdir()
    for n in range(TRACKS):
        write_tone(root / "music" / f"tone-{n}.wav", duration_s=3.0 + n, sample_rate=44100,
                   channels=2)  # fmt: skip
    return root


@pytest.fixture(scope="module")
def database_url(postgres) -> str:
    return postgres.create_database()


@pytest.fixture(scope="module")
def servers(workdir, database_url):
    shared_tier = RedisProcess(workdir).start()
    key = secrets.token_bytes(32)  # the Subsonic key: one file, copied to every server
    for name in "abc":
        (workdir / name / "data").mkdir(parents=True)
        (workdir / name / "data" / "subsonic.key").write_bytes(key)
    started = []
    try:
        for name in "abc":
            server = ServerProcess(
                workdir, "--library", str(workdir / "music"),
                "--data-dir", str(workdir / name / "data"),
                "--cache-dir", str(workdir / name / "cache"), "--admin-token", TOKEN,
                "--database-url", database_url, "--redis-url", shared_tier.url,
                "--server-id", name,
                env={"MASTERSTREAM_CHUNK_DURATION_S": "1.0", "MASTERSTREAM_RENDER_WORKERS": "1"},
            )  # fmt: skip
            started.append(server)
            server.launch()  # all three start together: the scan lock makes them take turns
        for server in started:
            server.wait_ready()
            server.wait_for_library()
        yield started
    finally:
        for server in started:
            server.stop()
        shared_tier.stop()


def get(server: ServerProcess, path: str, **kwargs) -> httpx.Response:
    kwargs.setdefault("headers", ADMIN)
    return httpx.get(server.base_url + path, timeout=30, **kwargs)


def listing(server: ServerProcess) -> dict[int, str]:
    items = get(server, "/api/tracks", params={"limit": 100}).json()["items"]
    return {item["id"]: item["title"] for item in items}


def test_every_server_lists_the_same_ids(servers) -> None:
    first = listing(servers[0])
    assert len(first) == TRACKS
    for other in servers[1:]:
        assert listing(other) == first


def test_each_track_is_analysed_once_in_the_cluster(servers, database_url) -> None:
    deadline = time.monotonic() + 120
    with psycopg.connect(database_url) as db:
        while db.execute("SELECT COUNT(*) FROM tracks WHERE fingerprint IS NULL").fetchone()[0]:
            assert time.monotonic() < deadline, "analysis did not finish"
            time.sleep(0.2)
        owners = db.execute("SELECT analysis_owner FROM tracks").fetchall()
    assert all(owner in ("a", "b", "c") for (owner,) in owners)
    analysed = [get(s, "/api/library/status").json()["files_analysed"] for s in servers]
    assert sum(analysed) == TRACKS, analysed


@contextmanager
def sign_in(server: ServerProcess, name: str, password: str) -> Iterator[httpx.Client]:
    """A client signed in on ``server`` (its cookie jar holds the session)."""
    with httpx.Client(base_url=server.base_url, timeout=30,
                      headers={"Origin": server.base_url}) as client:  # fmt: skip
        response = client.post("/api/session", json={"name": name, "password": password})
        assert response.status_code == 200, response.text
        yield client


def test_a_user_added_on_one_server_signs_in_on_another(servers) -> None:
    a, b, c = servers
    added = httpx.post(a.base_url + "/api/users", headers=ADMIN, timeout=30,
                       json={"name": "carol", "password": "a long passphrase"})  # fmt: skip
    assert added.status_code == 201, added.text
    with sign_in(b, "carol", "a long passphrase") as on_b:
        assert on_b.get("/api/tracks").status_code == 200
        cookie = on_b.cookies["ms_session"]
    on_c = httpx.get(c.base_url + "/api/tracks", cookies={"ms_session": cookie}, timeout=30)
    assert on_c.status_code == 200  # the session made on b is valid on c
    wrong = httpx.post(c.base_url + "/api/session", headers={"Origin": c.base_url},
                       json={"name": "carol", "password": "not it"}, timeout=30)  # fmt: skip
    assert wrong.status_code == 401


def test_a_playlist_made_on_one_server_is_seen_on_the_others(servers) -> None:
    a, b, c = servers
    httpx.post(a.base_url + "/api/users", headers=ADMIN, timeout=30,
               json={"name": "dave", "password": "another passphrase"})  # fmt: skip
    with sign_in(a, "dave", "another passphrase") as on_a:
        key = on_a.post("/api/me/keys", json={"label": "phone"}).json()["key"]
    song = min(listing(a))
    rest = {"apiKey": key, "c": "cluster-test", "v": "1.16.1", "f": "json"}
    made = httpx.get(a.base_url + "/rest/createPlaylist.view", timeout=30,
                     params={**rest, "name": "Road trip", "songId": str(song)})  # fmt: skip
    assert made.json()["subsonic-response"]["status"] == "ok", made.text
    for other in (b, c):
        found = httpx.get(other.base_url + "/rest/getPlaylists.view", params=rest, timeout=30)
        names = [p["name"] for p in found.json()["subsonic-response"]["playlists"]["playlist"]]
        assert names == ["Road trip"]


def test_a_subsonic_password_set_on_one_server_signs_in_on_the_others(servers) -> None:
    a, b, c = servers
    httpx.post(a.base_url + "/api/users", headers=ADMIN, timeout=30,
               json={"name": "erin", "password": "yet another passphrase"})  # fmt: skip
    with sign_in(a, "erin", "yet another passphrase") as on_a:
        enabled = on_a.put("/api/me/subsonic", json={"password": None})
        assert enabled.status_code == 200, enabled.text
        password = enabled.json()["password"]
    for other in (b, c):  # token auth: md5(password + salt), decrypted with the shared key
        salt = secrets.token_hex(6)
        token = hashlib.md5((password + salt).encode()).hexdigest()
        params = {"u": "erin", "t": token, "s": salt, "c": "cluster-test", "v": "1.16.1",
                  "f": "json"}  # fmt: skip
        pinged = httpx.get(other.base_url + "/rest/ping.view", params=params, timeout=30)
        assert pinged.json()["subsonic-response"]["status"] == "ok", pinged.text


@pytest.fixture(scope="module")
def balancer(workdir, servers):
    nginx = NginxProcess(workdir / "nginx", [f"127.0.0.1:{s.port}" for s in servers]).start()
    yield nginx
    nginx.stop()


def test_nginx_in_front_balances_and_caches_only_what_it_may(servers, balancer) -> None:
    """The compose file's nginx: requests reach every server, a versioned chunk is kept by
    nginx after the first answer, and a request without credentials is refused even for a
    chunk nginx holds."""
    httpx.post(
        servers[0].base_url + "/api/users",
        headers=ADMIN,
        timeout=30,
        json={"name": "frank", "password": "a passphrase too"},
    )  # sign-in required now
    through = httpx.Client(base_url=balancer.base_url, headers=ADMIN, timeout=60)
    with through:
        seen = {through.get("/api/cache/stats").json()["cluster"]["server_id"]
                for _ in range(12)}  # fmt: skip
        assert seen == {"a", "b", "c"}
        track = through.get("/api/tracks").json()["items"][0]
        url = f"/api/tracks/{track['id']}/chunks/0"
        params = {"preset": "warm", "v": track["version"]}
        first, second = through.get(url, params=params), through.get(url, params=params)
        assert first.status_code == second.status_code == 200
        assert first.headers["X-Proxy-Cache"] == "MISS"
        assert second.headers["X-Proxy-Cache"] == "HIT" and second.content == first.content
    anonymous = httpx.get(balancer.base_url + url, params=params, timeout=30,
                          headers={"X-Forwarded-For": "198.51.100.7"})  # fmt: skip
    assert anonymous.status_code in (401, 403)
