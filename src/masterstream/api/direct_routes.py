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

import inspect
from collections.abc import Callable, Coroutine
from typing import Any

from fastapi import FastAPI
from fastapi.routing import APIRoute
from starlette.exceptions import HTTPException
from starlette.middleware.errors import ServerErrorMiddleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Match
from starlette.types import ASGIApp, ExceptionHandler, Receive, Scope, Send

from .route_table import all_routes

Endpoint = Callable[[Request], Coroutine[Any, Any, Response]]


class DirectRoute(APIRoute):
    """A documented route whose endpoint takes the :class:`Request` and returns a
    :class:`Response` itself: no dependency solving, no per-parameter validation, and
    served ahead of the framework's generic layers by :class:`DirectApp`."""

    def get_route_handler(self) -> Endpoint:
        return self.endpoint


class DirectDispatch:
    """The innermost app of the short stack: the matched direct route's endpoint, its
    exceptions answered by the app's own handlers (looked up as Starlette does: an HTTP
    exception's status code, then the exception's classes, most specific first)."""

    def __init__(self, handlers: dict[Any, ExceptionHandler]) -> None:
        self.handlers = handlers

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        endpoint: Endpoint = scope["route"].endpoint
        request = Request(scope, receive, send)
        try:
            response = await endpoint(request)
        except Exception as exc:  # nothing was sent yet: the endpoint returns its response
            handler = self._handler(exc)
            if handler is None:
                raise
            response = handler(request, exc)
            if inspect.isawaitable(response):
                response = await response
        await response(scope, receive, send)

    def _handler(self, exc: Exception) -> ExceptionHandler | None:
        if isinstance(exc, HTTPException) and exc.status_code in self.handlers:
            return self.handlers[exc.status_code]
        for cls in type(exc).__mro__:
            if cls in self.handlers:
                return self.handlers[cls]
        return None


class DirectApp(FastAPI):
    """A FastAPI app that serves its :class:`DirectRoute` requests through a short stack,
    ahead of FastAPI's own per-request work (its native telemetry check, which reads the
    environment on every request; OpenTelemetry users see the other routes only)."""

    _direct: DirectSwitch | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        direct = self._direct
        if direct is not None and scope["type"] == "http" and direct.serve(scope):
            if self.root_path:
                scope["root_path"] = self.root_path
            scope["app"] = self
            await direct.short(scope, receive, send)
            return
        await super().__call__(scope, receive, send)

    def build_middleware_stack(self) -> ASGIApp:
        full = super().build_middleware_stack()
        routes = [r for r in all_routes(self.router.routes) if isinstance(r, DirectRoute)]
        if routes:
            self._direct = DirectSwitch(self._short_stack(), routes)
        return full

    def _short_stack(self) -> ASGIApp:
        """The app's problem handlers and user middleware around :class:`DirectDispatch`."""
        handlers = dict(self.exception_handlers)
        short: ASGIApp = DirectDispatch(handlers)
        for middleware in reversed(self.user_middleware):
            short = middleware.cls(short, *middleware.args, **middleware.kwargs)
        # as outermost in the full stack: a failure in the middleware is a 500 too
        error_handler = handlers.get(500) or handlers.get(Exception)
        return ServerErrorMiddleware(short, handler=error_handler, debug=self.debug)


class DirectSwitch:
    """Which requests the short stack serves: those that fully match a direct route."""

    def __init__(self, short: ASGIApp, routes: list[DirectRoute]) -> None:
        self.short, self.routes = short, routes

    def serve(self, scope: Scope) -> bool:
        """True (and the route and its path parameters put in ``scope``, as routing does)
        if a direct route fully matches ``scope``."""
        for route in self.routes:
            match, child = route.matches(scope)
            if match is Match.FULL:
                scope.update(child)
                return True
        return False
