"""The browser app: ``index.html`` at ``/`` and its files under ``/app/<version>/``.

The app is plain static files in ``masterstream/web`` (no build step), read into memory
once per app on first use (they are small). Their version is a digest of every file;
``index.html`` names its assets under that version (``__ASSETS__`` is replaced), so ES
modules importing each other by relative path all carry it and can be cached for good;
every module is listed for ``modulepreload`` (``<!-- __MODULES__ -->``), so the browser
fetches them at once instead of discovering them import by import.
Behind a proxy serving it under a sub-path (``serve --root-path``), the page carries that
path (``<html data-root-path>``, ``__ROOT_PATH__``) and its asset URLs start with it; the
app's ``serverUrl()`` puts it before every API, WebSocket and metrics path.
``index.html`` itself is ``no-cache`` with an ETag; a content security policy keeps the
page on its own origin.
"""

from __future__ import annotations

import hashlib
import html
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Request, Response
from fastapi import Path as PathParam

from ..headers import cache_control, etag_matches, strong_etag
from ..problems import ProblemError

router = APIRouter(include_in_schema=False)
WEB_DIR = Path(__file__).resolve().parents[2] / "web"
ASSETS_PLACEHOLDER = "__ASSETS__"
ROOT_PATH_PLACEHOLDER = "__ROOT_PATH__"
MODULES_PLACEHOLDER = "<!-- __MODULES__ -->"
ASSETS_PREFIX = "/app"
MEDIA_TYPES = {
    ".js": "text/javascript; charset=utf-8",
    ".mjs": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".svg": "image/svg+xml",
    ".html": "text/html; charset=utf-8",
    ".json": "application/json",
}
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "
    "media-src 'self' blob:; connect-src 'self'; object-src 'none'; base-uri 'none'; "
    "frame-ancestors 'none'; form-action 'none'"
)


@dataclass(frozen=True, slots=True)
class WebAsset:
    data: bytes
    media_type: str
    etag: str

    @classmethod
    def of(cls, data: bytes, suffix: str) -> WebAsset:
        digest = hashlib.blake2b(data, digest_size=12).hexdigest()
        return cls(data, MEDIA_TYPES[suffix], strong_etag(digest))


@dataclass(frozen=True, slots=True)
class WebBundle:
    """The app's files (by path relative to the web directory), version and index page
    (``page``: with ``__ROOT_PATH__`` still in it)."""

    version: str
    page: str
    assets: dict[str, WebAsset]
    _indexes: dict[str, WebAsset] = field(default_factory=dict, compare=False)

    @classmethod
    def load(cls, root: Path = WEB_DIR) -> WebBundle:
        paths = sorted(p for p in root.rglob("*") if p.is_file() and p.suffix in MEDIA_TYPES)
        contents = {p.relative_to(root).as_posix(): p.read_bytes() for p in paths}
        digest = hashlib.blake2b(digest_size=6)
        for name, data in contents.items():
            digest.update(name.encode() + b"\0" + data)
        version = digest.hexdigest()
        template = contents.pop("index.html").decode("utf-8")
        preload = "\n  ".join(
            f'<link rel="modulepreload" href="{ASSETS_PLACEHOLDER}/{name}">'
            for name in contents
            if name.endswith(".mjs")
        )
        template = template.replace(MODULES_PLACEHOLDER, preload)
        assets_url = f"{ROOT_PATH_PLACEHOLDER}{ASSETS_PREFIX}/{version}"
        page = template.replace(ASSETS_PLACEHOLDER, assets_url)
        assets = {name: WebAsset.of(data, Path(name).suffix) for name, data in contents.items()}
        return cls(version, page, assets)

    @property
    def index(self) -> WebAsset:
        """The index page at the root of its host."""
        return self.index_under("")

    def index_under(self, root_path: str) -> WebAsset:
        """The index page for an app served under ``root_path`` ("" or "/music")."""
        found = self._indexes.get(root_path)
        if found is None:
            page = self.page.replace(ROOT_PATH_PLACEHOLDER, html.escape(root_path))
            found = self._indexes[root_path] = WebAsset.of(page.encode(), ".html")
        return found


def bundle(request: Request) -> WebBundle:
    """This app's bundle, loaded on first use and kept on ``app.state``."""
    loaded = getattr(request.app.state, "web_bundle", None)
    if loaded is None:
        loaded = request.app.state.web_bundle = WebBundle.load()
    return loaded


@router.api_route("/", methods=["GET", "HEAD"])
async def index(request: Request) -> Response:
    headers = {"Content-Security-Policy": CONTENT_SECURITY_POLICY}
    page = bundle(request).index_under(request.scope.get("root_path", ""))
    return _respond(request, page, immutable=False, headers=headers)


@router.api_route(ASSETS_PREFIX + "/{version}/{path:path}", methods=["GET", "HEAD"])
async def asset(
    request: Request,
    version: Annotated[str, PathParam(max_length=32)],
    path: Annotated[str, PathParam(max_length=200)],
) -> Response:
    web = bundle(request)
    found = web.assets.get(path)
    if found is None:
        raise ProblemError(404, "not-found", "Not found", f"no app file {path!r}")
    return _respond(request, found, immutable=version == web.version)


def _respond(
    request: Request, asset: WebAsset, *, immutable: bool, headers: dict[str, str] | None = None
) -> Response:
    """The asset, or 304 when ``If-None-Match`` matches its ETag."""
    headers = {
        **(headers or {}),
        "ETag": asset.etag,
        "Cache-Control": cache_control(immutable=immutable),
        "X-Content-Type-Options": "nosniff",
    }
    if etag_matches(request.headers.get("if-none-match"), asset.etag):
        return Response(status_code=304, headers=headers)
    return Response(asset.data, media_type=asset.media_type, headers=headers)
