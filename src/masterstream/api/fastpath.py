"""A fast path for the hottest request: ``GET /api/tracks/{id}/chunks/{k}``.

An ASGI middleware (inside the request-metrics middleware, so it is still counted)
that recognises the chunk URL with one regular expression and calls the same
:func:`~masterstream.api.routes.chunks.serve_chunk` the FastAPI route calls, skipping
route matching, dependency solving and the per-request exit stacks — about half of the
framework's cost on a tier1 hit (``bench/bench_server.py``). Errors become the same
problem responses the app's exception handlers produce. Every other request, and the
chunk route's OpenAPI description, go through FastAPI unchanged.
"""

from __future__ import annotations

import re
from typing import NamedTuple

from starlette.datastructures import Headers, QueryParams
from starlette.requests import Request
from starlette.types import ASGIApp, Receive, Scope, Send

from .problems import problem_for
from .routes.chunks import CHUNK_ROUTE, serve_chunk

_CHUNK_PATH = re.compile(r"/api/tracks/([^/]+)/chunks/([^/]+)")


class RouteLabel(NamedTuple):
    """Stands in for the matched route in ``scope["route"]`` (what metrics label by)."""

    path: str


CHUNK_LABEL = RouteLabel(CHUNK_ROUTE)


class ChunkFastPath:
    """Serves chunk GETs directly; passes everything else to the app."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        match = None
        if scope["type"] == "http" and scope["method"] == "GET":
            match = _CHUNK_PATH.fullmatch(scope["path"])
        state = getattr(scope["app"].state, "ms", None) if match else None
        if match is None or state is None:
            await self.app(scope, receive, send)
            return
        scope["route"] = CHUNK_LABEL
        try:
            response = await serve_chunk(
                state,
                match[1],
                match[2],
                QueryParams(scope["query_string"]),
                Headers(scope=scope).get("if-none-match"),
            )
        except Exception as exc:  # mapped exactly as the app's exception handlers map it
            response = await problem_for(Request(scope, receive, send), exc)
        await response(scope, receive, send)
