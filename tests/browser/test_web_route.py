"""The web app's files: served at ``/`` with sensible caching, shipped in the package,
within the size budget, and never pointing at another host."""

from __future__ import annotations

import fnmatch
import re
import tomllib
from pathlib import Path

import httpx
import pytest

from masterstream.api.routes.web import WEB_DIR, WebBundle

ROOT = Path(__file__).resolve().parents[2]
BUDGET_BYTES = 200 * 1024
SVG_NAMESPACE = "http://www.w3.org/2000/svg"


def web_files() -> list[Path]:
    return sorted(p for p in WEB_DIR.rglob("*") if p.is_file() and "__pycache__" not in p.parts)


@pytest.fixture(scope="module")
def client(server):
    with httpx.Client(base_url=server.base_url, timeout=30) as c:
        yield c


def test_index_is_revalidated_and_names_versioned_assets(client):
    response = client.get("/")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert response.headers["cache-control"] == "no-cache"
    assert "default-src 'self'" in response.headers["content-security-policy"]
    assets = re.findall(r'(?:src|href)="(/app/[0-9a-f]{12}/[^"]+)"', response.text)
    assert "__ASSETS__" not in response.text and "__MODULES__" not in response.text
    preload = r'rel="modulepreload" href="/app/[0-9a-f]{12}/([^"]+)"'
    preloaded = set(re.findall(preload, response.text))
    assert preloaded == {p.relative_to(WEB_DIR).as_posix() for p in WEB_DIR.glob("js/*.mjs")}
    again = client.get("/", headers={"If-None-Match": response.headers["etag"]})
    assert again.status_code == 304 and again.content == b""
    for url in assets:
        asset = client.get(url)
        assert asset.status_code == 200, url
        assert asset.headers["cache-control"] == "public, max-age=31536000, immutable"
        assert asset.content == (WEB_DIR / url.split("/", 3)[3]).read_bytes()
    module = client.get(assets[-1].rsplit("/", 1)[0] + "/player.mjs")
    assert module.headers["content-type"].startswith("text/javascript")


def test_an_old_version_is_served_but_revalidated_and_unknown_files_are_problems(client):
    old = client.get("/app/000000000000/js/main.mjs")
    assert old.status_code == 200 and old.headers["cache-control"] == "no-cache"
    for path in ("/app/x/index.html", "/app/x/../../pyproject.toml", "/app/x/js/nope.mjs"):
        missing = client.get(path)
        assert missing.status_code == 404, path
        assert missing.headers["content-type"] == "application/problem+json"
    assert client.get("/api/nowhere").status_code == 404


def test_the_version_changes_with_any_file(tmp_path):
    for path in web_files():
        target = tmp_path / path.relative_to(WEB_DIR)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(path.read_bytes())
    before = WebBundle.load(tmp_path)
    (tmp_path / "css" / "base.css").write_text("body { color: red; }")
    after = WebBundle.load(tmp_path)
    assert before.version != after.version
    assert f"/app/{after.version}/css/base.css" in after.index.data.decode()


def test_every_web_file_is_shipped_as_package_data():
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    patterns = config["tool"]["setuptools"]["package-data"]["masterstream"]
    for path in web_files():
        relative = path.relative_to(WEB_DIR.parent).as_posix()
        assert any(fnmatch.fnmatch(relative, p) for p in patterns), f"{relative} is not shipped"


def test_scripts_and_styles_fit_the_budget():
    sizes = {p.name: p.stat().st_size for p in web_files() if p.suffix in (".mjs", ".css")}
    assert sum(sizes.values()) <= BUDGET_BYTES, sizes


def test_no_file_names_another_host():
    for path in web_files():
        text = path.read_text(encoding="utf-8")
        urls = set(re.findall(r"(?:https?|wss?):[^\s\"'`)]+", text))
        relative_to_scheme = re.findall(r"(?:src=|href=|url\()[\"']?//", text)
        assert urls <= {SVG_NAMESPACE} and not relative_to_scheme, (path.name, urls)
