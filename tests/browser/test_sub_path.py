"""The web app under a sub-path: ``serve --root-path /music`` behind a real nginx running
the example's sub-path locations (docs/deploy/nginx/masterstream.conf), driven by Chromium.
The library loads, a track plays its chunks from /music/api/..., the live feed connects on
/music/ws, and /music/docs links the prefixed OpenAPI document."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest

from tests.e2e.nginx_process import NginxProcess
from tests.e2e.server_process import ServerProcess

from .accounts import ADMIN, open_app, sign_in, signed_in_client
from .conftest import CHUNK_S, TRACKS

pytestmark = pytest.mark.timeout(180)
PREFIX = "/music"
NGINX_SITE = Path(__file__).resolve().parents[2] / "docs" / "deploy" / "nginx" / "masterstream.conf"


def sub_path_site(upstream: str, port: int, cache_dir: Path) -> str:
    """The example's http-level blocks, its server-level proxy settings and its commented
    sub-path locations, on plain HTTP at ``port`` in front of ``upstream``."""
    text = NGINX_SITE.read_text().replace("127.0.0.1:8765", upstream)
    head, main = text.split("\nserver {", 1)[0], text.split("\nserver {")[2]
    proxy = re.findall(r"^    (proxy_[a-z_]+ .*;)", main.split("location", 1)[0], re.MULTILINE)
    block = re.search(r"# BEGIN sub-path\n(.*?)\n *# END sub-path", main, re.DOTALL)
    auth = re.search(r"\n    location = /_masterstream_auth \{.*?\n    \}", main, re.DOTALL)
    assert block is not None and auth is not None, "the example has no sub-path locations"
    locations = re.sub(r"^    # ?", "    ", block.group(1), flags=re.MULTILINE) + auth.group(0)
    server = "\n    ".join([f"listen 127.0.0.1:{port};", *proxy]) + "\n" + locations
    # Host with its port: the browser's Origin names the test's non-default port
    server = server.replace("Host $host;", "Host $http_host;")
    head = head.replace("/var/cache/nginx/masterstream", str(cache_dir))
    return f"{head}\nserver {{\n    {server}\n}}\n"


class SubPathNginx(NginxProcess):
    """nginx serving one masterstream under /music/ (the example's sub-path variant)."""

    def __init__(self, root: Path, upstream: str) -> None:
        super().__init__(root, [upstream] * 3)  # writes nginx.conf; the site is ours
        (root / "site.conf").write_text(sub_path_site(upstream, self.port, root / "cache"))


@pytest.fixture(scope="module")
def sub_path(library_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The base URL of the app under /music (nginx in front of ``serve --root-path``)."""
    root = tmp_path_factory.mktemp("sub-path")
    server = ServerProcess(
        root, "--library", str(library_dir / "music"), "--data-dir", str(root / "data"),
        "--root-path", PREFIX,
        env={"MASTERSTREAM_CHUNK_DURATION_S": str(CHUNK_S), "MASTERSTREAM_RENDER_WORKERS": "1"},
    ).start()  # fmt: skip
    nginx = SubPathNginx(root / "nginx", f"127.0.0.1:{server.port}").start()
    try:
        assert f"served under {PREFIX}/ by a reverse proxy" in server.log()
        deadline = time.monotonic() + 60
        while httpx.get(f"{server.base_url}/api/tracks").json()["total"] < len(TRACKS):
            assert time.monotonic() < deadline, "the library was not scanned in 60 s"
            time.sleep(0.2)
        # through a proxy the server is no longer "this machine": a user signs in
        name, password = ADMIN
        httpx.post(f"{server.base_url}/api/setup", json={"name": name, "password": password},
                   headers={"Origin": server.base_url}).raise_for_status()  # fmt: skip
        yield nginx.base_url + PREFIX
    finally:
        nginx.stop()
        server.stop()


def test_the_app_plays_and_connects_under_the_sub_path(browser, sub_path: str) -> None:
    context = browser.new_context(viewport={"width": 1280, "height": 860})
    try:
        app = open_app(context, sub_path)
        sign_in(app, *ADMIN)
        app.play_track("Alpha")
        app.wait_text("now-title", starts="Alpha")
        app.wait_position(CHUNK_S + 0.5)  # into the second chunk
        app.wait_for("() => window.masterstream.feed.state === 'open'")
        assert "Live feed: connected" in app.page.locator("#connection").text_content()
    finally:
        context.close()
    paths = [urlsplit(url).path for url in app.requests]
    assert all(path.startswith(f"{PREFIX}/") for path in paths), paths
    chunks = {p for p in paths if re.fullmatch(rf"{PREFIX}/api/tracks/\d+/chunks/\d+", p)}
    assert len(chunks) >= 2, paths
    assert any(p.startswith(f"{PREFIX}/app/") and p.endswith("/js/main.mjs") for p in paths)
    assert [urlsplit(url).path for url in app.sockets] == [f"{PREFIX}/ws"]
    app.assert_stayed_on_loopback()


def test_versioned_chunks_under_the_sub_path_are_cached_for_listeners_only(sub_path: str) -> None:
    with signed_in_client(sub_path, *ADMIN) as client:
        track = client.get("/api/tracks").json()["items"][0]
        url, params = f"/api/tracks/{track['id']}/chunks/0", {"v": track["version"]}
        first, second = client.get(url, params=params), client.get(url, params=params)
    assert first.status_code == second.status_code == 200
    assert (first.headers["x-proxy-cache"], second.headers["x-proxy-cache"]) == ("MISS", "HIT")
    assert first.content == second.content and first.content[:4] == b"RIFF"
    anonymous = httpx.get(f"{sub_path}{url}", params=params)  # cached, but not for them
    assert anonymous.status_code == 401 and anonymous.content != first.content


def test_docs_under_the_sub_path_load_the_prefixed_openapi(sub_path: str) -> None:
    with signed_in_client(sub_path, *ADMIN) as client:
        docs = client.get("/docs")
        document = client.get("/openapi.json")
    assert docs.status_code == 200 and f"'{PREFIX}/openapi.json'" in docs.text
    assert document.status_code == 200 and "/api/tracks" in document.json()["paths"]
    redirect = httpx.get(sub_path)
    assert redirect.status_code == 301 and redirect.headers["location"].endswith(f"{PREFIX}/")
