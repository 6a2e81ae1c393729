"""The server's edge, checked before any route runs: Host, cross-site writes, bodies.

:class:`EdgeGuard` is a pure ASGI middleware. For every HTTP request and WebSocket
handshake it

* answers only to allowed ``Host`` names — loopback names, the address the server is
  bound to, the address the connection arrived on and ``Settings.allowed_hosts`` — so a
  DNS-rebinding page (its own name, our address) reads nothing;
* refuses state-changing requests from other sites: an ``Origin`` that is neither this
  server's nor in ``Settings.allowed_origins``, or a ``Sec-Fetch-Site`` of ``cross-site``
  or ``same-site`` without such an Origin (403), and WebSocket handshakes from a foreign
  Origin (403). Non-browser clients send neither header and are judged by their
  credentials alone;
* takes state-changing bodies as JSON only (415), which no cross-site form can send;
* bounds every request body to ``Settings.max_body_size`` (413): a declared length is
  refused before a byte is read, a streamed body as soon as it passes the limit.

The Subsonic API (``/rest/``) authenticates every request with its own parameters and
no cookie, and its clients send forms: the cross-site and JSON rules skip it.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ..config import Settings
from .clients import ClientInfo, TrustedProxies
from .problems import problem_response

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
LOOPBACK_NAMES = frozenset({"localhost", "127.0.0.1", "::1"})
WILDCARD_BINDS = frozenset({"", "0.0.0.0", "::"})
CREDENTIALS_PER_REQUEST = ("/rest/",)  # no ambient credentials: no cross-site forgery
DEFAULT_PORTS = {"http": 80, "https": 443, "ws": 80, "wss": 443}


def split_host(host: str) -> tuple[str, int | None]:
    """``(name, port)`` of a ``Host`` header value: lower case, IPv6 brackets removed."""
    host = host.strip().lower()
    if host.startswith("["):
        end = host.find("]")
        if end < 0:
            return host, None
        rest = host[end + 1 :]
        port = int(rest[1:]) if rest.startswith(":") and rest[1:].isdigit() else None
        return host[1:end], port
    name, sep, port = host.rpartition(":")
    if sep and port.isdigit() and ":" not in name:
        return name, int(port)
    return host, None


def host_name(host: str) -> str:
    return split_host(host)[0]


def is_json(content_type: str) -> bool:
    media_type = content_type.split(";")[0].strip().lower()
    return media_type == "application/json" or (
        media_type.startswith("application/") and media_type.endswith("+json")
    )


def header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", ()):
        if key == name:
            return value.decode("latin-1")
    return None


def route_path(scope: Scope) -> str:
    """The path as the routes see it: without the ``root_path`` (``serve --root-path``)
    that uvicorn puts in front of it."""
    root, path = scope.get("root_path", ""), scope["path"]
    if root and (path == root or path.startswith(root + "/")):
        return path[len(root) :] or "/"
    return path


class EdgeRules:
    """The allowed hosts and origins, from the settings."""

    def __init__(self, settings: Settings) -> None:
        hosts = set(LOOPBACK_NAMES) | {host_name(h) for h in settings.allowed_hosts}
        if settings.host not in WILDCARD_BINDS:
            hosts.add(host_name(settings.host))
        self.any_host = "*" in hosts
        self.hosts = frozenset(hosts)
        self.origins = frozenset(o.rstrip("/").lower() for o in settings.allowed_origins)
        self.max_body_bytes = settings.max_body_bytes
        self.trusted = TrustedProxies(settings.trusted_proxies)

    def host_allowed(self, scope: Scope, host: str | None) -> bool:
        if self.any_host:
            return True
        if host is None:
            return False
        name = host_name(host)
        server = scope.get("server")
        return name in self.hosts or (server is not None and name == str(server[0]).lower())

    def origin_allowed(self, origin: str, host: str | None) -> bool:
        """Same origin as the request's Host, or explicitly allowed."""
        origin = origin.strip().lower()
        if origin in self.origins:
            return True
        if origin == "null" or host is None:
            return False
        parts = urlsplit(origin)
        default_port = DEFAULT_PORTS.get(parts.scheme)
        try:
            origin_port = parts.port or default_port
        except ValueError:
            return False
        name, port = split_host(host)
        return parts.hostname == name and origin_port == (port or default_port)

    def cross_site(self, scope: Scope, host: str | None) -> bool:
        origin = header(scope, b"origin")
        if origin is not None:
            return not self.origin_allowed(origin, host)
        return header(scope, b"sec-fetch-site") in ("cross-site", "same-site")


class EdgeGuard:
    """Host, cross-site and body checks in front of the whole app (see the module doc)."""

    def __init__(self, app: ASGIApp, *, settings: Settings) -> None:
        self.app = app
        self.rules = EdgeRules(settings)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        kind = scope["type"]
        if kind not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        rules = self.rules
        client = ClientInfo.of(scope, rules.trusted)
        scope.setdefault("state", {})["client"] = client
        host = header(scope, b"host")
        refusal = self._refusal(scope, kind, host)
        if refusal is not None:
            await deny(scope, receive, send, *refusal)
            return
        if kind == "websocket":
            await self.app(scope, receive, send)
            return
        await self.app(scope, self._bounded(receive), send)

    def _refusal(self, scope: Scope, kind: str, host: str | None) -> tuple[Any, ...] | None:
        rules = self.rules
        if not rules.host_allowed(scope, host):
            return (400, "host-not-allowed", "Host not allowed",
                    f"this server does not answer to the host {host!r}; add it with "
                    "--allowed-host")  # fmt: skip
        if kind == "websocket":
            origin = header(scope, b"origin")
            if origin is not None and not rules.origin_allowed(origin, host):
                return (403, "origin-not-allowed", "Origin not allowed",
                        f"WebSocket connections from {origin[:100]!r} are refused; allow "
                        "another site with --allowed-origin")  # fmt: skip
            return None
        if scope["method"] in SAFE_METHODS or route_path(scope).startswith(CREDENTIALS_PER_REQUEST):
            return self._length_refusal(scope)
        if rules.cross_site(scope, host):
            return (403, "cross-site-request", "Cross-site request refused",
                    "state-changing requests from another site are refused")  # fmt: skip
        content_type = header(scope, b"content-type")
        if content_type is not None and not is_json(content_type):
            return (415, "unsupported-media-type", "Unsupported media type",
                    "state-changing requests take JSON bodies (application/json)")  # fmt: skip
        return self._length_refusal(scope)

    def _length_refusal(self, scope: Scope) -> tuple[Any, ...] | None:
        declared = header(scope, b"content-length")
        if declared is None:
            return None
        if not declared.strip().isdigit():
            return 400, "bad-request", "Bad request", "Content-Length is not a number"
        if int(declared) > self.rules.max_body_bytes:
            return self._too_large()
        return None

    def _too_large(self) -> tuple[Any, ...]:
        limit = self.rules.max_body_bytes
        return (413, "content-too-large", "Content too large",
                f"request bodies are limited to {limit} bytes")  # fmt: skip

    def _bounded(self, receive: Receive) -> Receive:
        limit = self.rules.max_body_bytes
        seen = 0

        async def bounded() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    raise HTTPException(413, f"request bodies are limited to {limit} bytes")
            return message

        return bounded


async def deny(
    scope: Scope, receive: Receive, send: Send, status: int, slug: str, title: str, detail: str,
    headers: dict[str, str] | None = None,
) -> None:  # fmt: skip
    """Answer with a problem document: an HTTP response, or a refused WebSocket handshake
    (with the document where the server supports denial responses, else a bare 403)."""
    response = problem_response(
        status, slug, title, detail, instance=scope.get("path"), headers=headers
    )
    if scope["type"] == "http":
        await response(scope, receive, send)
        return
    if "websocket.http.response" in scope.get("extensions", {}):
        await send({"type": "websocket.http.response.start", "status": status,
                    "headers": response.raw_headers})  # fmt: skip
        await send({"type": "websocket.http.response.body", "body": response.body})
    else:
        await send({"type": "websocket.close", "code": 1008})
