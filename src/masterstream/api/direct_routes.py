"""Direct routes: the hottest endpoints, served through the app's own middleware only.

A tier1 hit costs the server tens of microseconds, the framework's generic layers around
it several times that (measured in ``bench/results/hit_path_cpu.md``): FastAPI's
telemetry, body-limit and exit-stack middleware, the route table walked router by router
and the endpoint wrapper. A :class:`DirectRoute` is an ordinary, documented route of the
app whose endpoint takes the :class:`~starlette.requests.Request` and returns a
:class:`~starlette.responses.Response` itself (parsing its own parameters). The app
(:class:`DirectApp`) serves the requests that match a direct route through a second,
short stack built from the same declarations as the full one — the same problem
handlers (unexpected errors as 500 problems, the app's exception handlers for the rest)
and the same user middleware (request id, metrics and access log, the edge checks, the
access gate) — and everything else through the full stack. There is one endpoint per
route either way; only the layers around it differ, and none of the skipped ones does
anything for a bodiless GET or HEAD without dependencies.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any

from fastapi import FastAPI
from fastapi.routing import APIRoute
from starlette.middleware.errors import ServerErrorMiddleware
from starlette.middleware.exceptions import ExceptionMiddleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Match
from starlette.types import ASGIApp, Receive, Scope, Send

from .route_table import all_routes

Endpoint = Callable[[Request], Coroutine[Any, Any, Response]]


class DirectRoute(APIRoute):
    """A documented route whose endpoint takes the :class:`Request` and returns a
    :class:`Response` itself: no dependency solving, no per-parameter validation, and
    served ahead of the framework's generic layers by :class:`DirectApp`."""

    def get_route_handler(self) -> Endpoint:
        return self.endpoint


class DirectDispatch:
    """The innermost app of the short stack: the matched direct route's endpoint."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        endpoint: Endpoint = scope["route"].endpoint
        response = await endpoint(Request(scope, receive, send))
        await response(scope, receive, send)


class DirectApp(FastAPI):
    """A FastAPI app that serves its :class:`DirectRoute` requests through a short stack."""

    def build_middleware_stack(self) -> ASGIApp:
        full = super().build_middleware_stack()
        routes = [r for r in all_routes(self.router.routes) if isinstance(r, DirectRoute)]
        if not routes:
            return full
        error_handler, handlers = None, {}
        for key, handler in self.exception_handlers.items():
            if key in (500, Exception):
                error_handler = handler
            else:
                handlers[key] = handler
        short: ASGIApp = ExceptionMiddleware(DirectDispatch(), handlers=handlers, debug=self.debug)
        for middleware in reversed(self.user_middleware):
            short = middleware.cls(short, *middleware.args, **middleware.kwargs)
        short = ServerErrorMiddleware(short, handler=error_handler, debug=self.debug)
        return DirectSwitch(full, short, routes)


class DirectSwitch:
    """Sends a request that fully matches a direct route to the short stack."""

    def __init__(self, full: ASGIApp, short: ASGIApp, routes: list[DirectRoute]) -> None:
        self.full, self.short, self.routes = full, short, routes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            for route in self.routes:
                match, child = route.matches(scope)
                if match is Match.FULL:
                    scope.update(child)  # the route and its path parameters, as routing does
                    await self.short(scope, receive, send)
                    return
        await self.full(scope, receive, send)
