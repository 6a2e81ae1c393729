"""The app's routes as one flat list, and the methods a path allows.

Newer FastAPI keeps included routers nested (``original_router``); :func:`all_routes`
looks inside them, so the access gate, the OpenAPI generator and the 405 handler see
every route the same way.
"""

from __future__ import annotations

from typing import Any

from starlette.routing import Match
from starlette.types import Scope


def all_routes(routes: list[Any]) -> list[Any]:
    """Every route, looking inside included routers."""
    flat = []
    for route in routes:
        inner = getattr(route, "original_router", None)
        flat.extend(all_routes(inner.routes) if inner is not None else [route])
    return flat


def allowed_methods(routes: list[Any], scope: Scope) -> list[str]:
    """The methods of every HTTP route whose path matches ``scope``'s (for ``Allow``)."""
    methods: set[str] = set()
    for route in all_routes(routes):
        route_methods = getattr(route, "methods", None)
        if route_methods and route.matches(scope)[0] is not Match.NONE:
            methods |= set(route_methods)
    return sorted(methods)
