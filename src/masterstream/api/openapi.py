"""The OpenAPI document, made honest in one place rather than route by route.

:func:`install_openapi` replaces FastAPI's generator with :func:`build_openapi`, which
starts from FastAPI's document and then, for every operation, from what the server really
does to it (the access gate's :func:`~.access.classify`, the admin dependency, path
parameters, bodies, byte ranges, render budgets):

* every error response is a :class:`~.problems.Problem` as ``application/problem+json``,
  FastAPI's default 422 included;
* 401/403 where the access gate may refuse, 404 where a path names something looked up,
  413/415 where a body is read, 422 where parameters or bodies are validated, 416 beside
  a 206, 429 on render-budgeted and throttled routes, 503 where the catalog, cache or
  source audio may be unavailable;
* a bearer scheme (API key or admin token) and the session cookie on every protected
  operation, so ``/docs`` has an Authorize button;
* binary bodies typed as such; tag descriptions; operation ids are
  :func:`operation_id` (camelCase of the endpoint function's name).
"""

from __future__ import annotations

import warnings
from typing import TYPE_CHECKING, Any

from fastapi.openapi.utils import get_openapi
from fastapi.routing import APIRoute

from .access import Access, classify
from .auth import SESSION_COOKIE, require_admin
from .problems import PROBLEM_MEDIA_TYPE, Problem
from .route_table import all_routes

if TYPE_CHECKING:
    from fastapi import FastAPI

PROBLEM_REF = {"$ref": "#/components/schemas/Problem"}
PROTECTED = (Access.LISTEN, Access.METRICS)
SECURITY_SCHEMES = {
    "bearer": {"type": "http", "scheme": "bearer",
               "description": "An API key (`masterstream key create` or the web app) or the "
                              "server's --admin-token."},
    "session": {"type": "apiKey", "in": "cookie", "name": SESSION_COOKIE,
                "description": "The web app's session cookie, set by POST /api/session."},
}  # fmt: skip
# what some endpoints answer themselves, beyond the general rules below
ROUTE_ERRORS: dict[str, frozenset[int]] = {
    "get_chunk": frozenset({429}),  # a cold render over the caller's render budget
    "stream_track": frozenset({429}),
    "sign_in": frozenset({401, 429}),  # wrong credentials; throttled after repeated ones
    "setup": frozenset({409, 429}),  # an admin exists already
    "create_user": frozenset({409}),  # the name is taken
    "change_user": frozenset({409}),  # the last admin stays an admin
    "remove_user": frozenset({409}),  # the last admin stays
}
PREFIX_ERRORS = {"/api/me/": frozenset({409})}  # no account behind the admin token
ERROR_DESCRIPTIONS = {
    401: "No credentials, or credentials that name nobody.",
    403: "Not allowed: not an admin, no user yet (non-loopback), cross-site or CSRF.",
    404: "What the path names does not exist.",
    409: "Conflicts with the current state.",
    413: "The request body is larger than the server accepts.",
    415: "State-changing requests take JSON bodies only.",
    416: "Malformed or unsatisfiable Range.",
    422: "Invalid parameters or body (the problem lists them in invalid_params).",
    429: "Too many requests: retry after the Retry-After header's seconds.",
    503: "Catalog, cache or source audio unavailable right now.",
}
TAGS = [
    {"name": "tracks", "description": "The library's tracks, their details and presets."},
    {"name": "chunks", "description": "Mastered chunks: the cached unit of audio."},
    {"name": "stream", "description": "A whole mastered track as one stream, with Range."},
    {"name": "cache", "description": "The two-tier chunk cache: statistics, health, warming."},
    {"name": "library", "description": "Artists, albums, covers, search and library scans."},
    {"name": "health", "description": "Liveness, readiness and the server's health."},
    {"name": "metrics", "description": "Prometheus text exposition."},
    {"name": "session", "description": "Signing in and out, and first-admin setup."},
    {"name": "me", "description": "The signed-in user's settings, API keys and password."},
    {"name": "users", "description": "Accounts (admin)."},
    {"name": "subsonic", "description": "The Subsonic API for third-party players."},
]


def operation_id(route: APIRoute) -> str:
    """``getChunk`` for the endpoint ``get_chunk``: stable, readable, unique per function."""
    head, *rest = route.name.split("_")
    return head + "".join(word[:1].upper() + word[1:] for word in rest)


def install_openapi(app: FastAPI) -> None:
    """Serve :func:`build_openapi`'s document at ``/openapi.json`` (built once)."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = build_openapi(app)
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


def build_openapi(app: FastAPI) -> dict[str, Any]:
    """FastAPI's document for ``app``, with errors, security, binaries and tags told truly."""
    with warnings.catch_warnings():
        # a route serving several methods repeats its id; _unique_ids tells them apart
        warnings.filterwarnings("ignore", "Duplicate Operation ID", UserWarning)
        schema = get_openapi(
            title=app.title, version=app.version, summary=app.summary,
            description=app.description, routes=app.routes, tags=TAGS, servers=app.servers,
        )  # fmt: skip
    _unique_ids(schema)
    components = schema.setdefault("components", {})
    components.setdefault("schemas", {})["Problem"] = Problem.model_json_schema()
    components["securitySchemes"] = SECURITY_SCHEMES
    routes = _routes_by_operation(app)
    for path, operations in schema.get("paths", {}).items():
        for method, operation in operations.items():
            route = routes.get((path, method.upper()))
            _document(operation, path, route, components["schemas"])
    _drop_unused_validation_schemas(schema)
    used = {tag for ops in schema.get("paths", {}).values() for op in ops.values()
            for tag in op.get("tags", ())}  # fmt: skip
    schema["tags"] = [tag for tag in TAGS if tag["name"] in used]
    return schema


def _unique_ids(schema: dict[str, Any]) -> None:
    """Tell apart the methods of a route serving several: the id stays on GET (else the
    first method alphabetically), the others get the method as suffix (``restPost``)."""
    by_id: dict[str, list[tuple[str, dict[str, Any]]]] = {}
    for operations in schema.get("paths", {}).values():
        for method, operation in operations.items():
            by_id.setdefault(operation["operationId"], []).append((method, operation))
    for base, shared in by_id.items():
        shared.sort(key=lambda item: (item[0] != "get", item[0]))
        for method, operation in shared[1:]:
            operation["operationId"] = base + method.capitalize()


def _routes_by_operation(app: FastAPI) -> dict[tuple[str, str], APIRoute]:
    out = {}
    for route in all_routes(app.router.routes):
        if isinstance(route, APIRoute) and route.include_in_schema:
            for method in route.methods:
                out[(route.path_format, method)] = route
    return out


def _is_admin(route: APIRoute | None) -> bool:
    if route is None:
        return False
    dependencies = route.dependant.dependencies
    return any(d.call is require_admin for d in dependencies) or any(
        getattr(d, "dependency", None) is require_admin for d in route.dependencies
    )


def _body_names_an_id(operation: dict[str, Any], schemas: dict[str, Any]) -> bool:
    """Whether the JSON body has an ``…_id`` field (a track or key the route looks up)."""
    content = operation.get("requestBody", {}).get("content", {})
    body = content.get("application/json", {}).get("schema", {})
    ref = body.get("$ref", "")
    properties = schemas.get(ref.rpartition("/")[2], {}).get("properties", body.get("properties"))
    return any(name.endswith("_id") for name in properties or ())


def error_statuses(
    operation: dict[str, Any], path: str, route: APIRoute | None, schemas: dict[str, Any]
) -> set[int]:  # fmt: skip
    """The error statuses ``operation`` may answer with, from what the server does."""
    access = classify(path)
    name = route.name if route is not None else ""
    statuses: set[int] = set()
    if access is Access.SELF:  # Subsonic answers its failures in its own format
        return statuses
    if access is not Access.OPEN:
        statuses.add(403)  # no user yet off loopback; not an admin; cross-site
    if access in PROTECTED or _is_admin(route):
        statuses.add(401)
    if "{" in path or _body_names_an_id(operation, schemas):
        statuses.add(404)
    if "requestBody" in operation:
        statuses |= {413, 415, 422}
    if operation.get("parameters"):
        statuses.add(422)
    if "206" in operation.get("responses", {}):
        statuses.add(416)
    statuses |= ROUTE_ERRORS.get(name, frozenset())
    for prefix, extra in PREFIX_ERRORS.items():
        if path.startswith(prefix):
            statuses |= extra
    if path.startswith("/api/"):
        statuses.add(503)
    return statuses


def _document(
    operation: dict[str, Any], path: str, route: APIRoute | None, schemas: dict[str, Any]
) -> None:
    responses = operation.setdefault("responses", {})
    for status in error_statuses(operation, path, route, schemas):
        responses.setdefault(str(status), {})
    for code, response in responses.items():
        if code.isdigit() and int(code) >= 400:
            _as_problem(int(code), response)
        elif code.startswith("2"):
            _type_binary_bodies(response)
    if classify(path) in PROTECTED or _is_admin(route):
        operation["security"] = [{"bearer": []}, {"session": []}]


def _as_problem(status: int, response: dict[str, Any]) -> None:
    """Make ``response`` a problem document unless the route declared another schema."""
    content = response.get("content") or {}
    declared = [
        media for media, body in content.items()
        if body.get("schema") and "HTTPValidationError" not in str(body["schema"])
    ]  # fmt: skip
    if declared:
        return
    response["content"] = {PROBLEM_MEDIA_TYPE: {"schema": PROBLEM_REF}}
    default = ERROR_DESCRIPTIONS.get(status, "Error.")
    if response.get("description") in (None, "", "Validation Error"):
        response["description"] = default


def _type_binary_bodies(response: dict[str, Any]) -> None:
    for media, body in (response.get("content") or {}).items():
        if body.get("schema"):
            continue
        if media.startswith("text/"):
            body["schema"] = {"type": "string"}
        elif "json" not in media:
            body["schema"] = {"type": "string", "format": "binary"}


def _drop_unused_validation_schemas(schema: dict[str, Any]) -> None:
    """FastAPI's HTTPValidationError/ValidationError, once no response refers to them."""
    schemas = schema.get("components", {}).get("schemas", {})
    paths = str(schema.get("paths", {}))
    if "HTTPValidationError" not in paths:
        schemas.pop("HTTPValidationError", None)
        if "#/components/schemas/ValidationError" not in str(schemas):
            schemas.pop("ValidationError", None)
