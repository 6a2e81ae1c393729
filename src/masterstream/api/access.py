"""The access rules, applied to every request before a route reads its body.

:class:`AccessGate` (pure ASGI, inside :class:`~.security.EdgeGuard`) authenticates the
request (:meth:`AuthState.authenticate <.auth.AuthState.authenticate>`), decides with
:func:`decide` and either refuses with a problem document or passes the request on with
its :class:`~.auth.Principal` in ``scope["state"]``. Every path needs a principal that may
listen unless :func:`classify` says otherwise, so a route added later is protected by
default. The rules, exactly:

* ``/livez`` and ``/readyz`` are open to everyone.
* **No user yet**: loopback clients have full rights (admin endpoints still ask for
  ``--admin-token`` when one is set); any other address gets 403 saying to create a user.
* **Users exist**: every listening and library endpoint and ``/ws`` need a session cookie
  or ``Authorization: Bearer <api key>``; sign-in (``/api/session``), first-admin setup
  and the web app's static files stay reachable, so a browser can sign in.
* ``/metrics`` is open on loopback, else it needs an admin (or ``--metrics-public``).
* ``--admin-token`` is an admin principal everywhere, for automation.
* ``/rest/`` (Subsonic) authenticates each request itself, from its own parameters, and
  answers in its own error format: once users exist the gate lets anonymous requests
  through to it; the route then resolves the user (``UserStore.accounts.authenticate``,
  ``UserStore.keys.user``) and records it with :func:`~.auth.admit` so render budgets apply.
* Admin routes (those that declare :func:`~.auth.require_admin`) are checked here too for
  state-changing methods, so a non-admin's body is never read.
* A state-changing request signed in by cookie must show where it comes from (``Origin``
  or ``Sec-Fetch-Site``; :class:`~.security.EdgeGuard` has refused other sites already).
"""

from __future__ import annotations

import asyncio
from enum import Enum
from typing import TYPE_CHECKING, Any

from starlette.routing import Match
from starlette.types import ASGIApp, Receive, Scope, Send

from ..cache.shared_counters import SharedCounters
from ..config import Settings
from ..users import UserStore
from ..users.cluster_budget import ClusterBudget
from .auth import SESSION_COOKIE, USER_CHALLENGE, AuthState, Principal, refuse_non_admin
from .auth import require_admin as _require_admin
from .budgets import WarmingBudget
from .clients import ClientInfo
from .problems import ProblemError
from .route_table import all_routes
from .security import SAFE_METHODS, EdgeGuard, deny, header, route_path

if TYPE_CHECKING:
    from fastapi import FastAPI

    from .state import ServerState

NO_USER_DETAIL = (
    "this server has no user yet, so it answers only on its own machine (loopback); "
    "create the first admin with 'masterstream user add NAME --admin --password-stdin' "
    "or on the web app opened at http://127.0.0.1"
)


class Access(Enum):
    OPEN = "open"  # health probes
    PUBLIC = "public"  # sign-in and the web app's static files
    METRICS = "metrics"
    SELF = "self"  # authenticates every request itself (Subsonic's /rest)
    LISTEN = "listen"  # everything else


OPEN_PATHS = frozenset({"/livez", "/readyz"})
PUBLIC_PATHS = frozenset({"/", "/api/session", "/api/setup", "/favicon.ico"})
PUBLIC_PREFIXES = ("/app/",)  # the web app's versioned static files (no data)
SELF_PREFIXES = ("/rest/",)  # Subsonic: credentials in each request's parameters


def classify(path: str) -> Access:
    if path in OPEN_PATHS:
        return Access.OPEN
    if path in PUBLIC_PATHS or path.startswith(PUBLIC_PREFIXES):
        return Access.PUBLIC
    if path.startswith(SELF_PREFIXES):
        return Access.SELF
    return Access.METRICS if path == "/metrics" else Access.LISTEN


def decide(
    access: Access, principal: Principal | None, rejected: bool, client: ClientInfo,
    users_exist: bool, settings: Settings,
) -> Principal:  # fmt: skip
    """The principal a request proceeds as, or the ProblemError that refuses it."""
    if principal is not None and access is not Access.METRICS:
        return principal  # authenticated: listening, public and open paths are theirs
    anonymous = Principal(None, "anonymous", client, admin=False)
    if access is Access.OPEN:
        return principal or anonymous
    if principal is None and not users_exist:
        if access is Access.SELF and not client.loopback:
            return anonymous  # /rest refuses it in its own format (Subsonic error 50)
        if not client.loopback and not (access is Access.METRICS and settings.metrics_public):
            raise ProblemError(403, "no-user-yet", "Create a user first", NO_USER_DETAIL)
        return Principal(None, "loopback", client, admin=not settings.admin_token)
    if access is Access.METRICS:
        if client.loopback or settings.metrics_public or (principal and principal.admin):
            return principal or anonymous
        if principal is not None:
            raise ProblemError(403, "forbidden", "Forbidden", "/metrics is for admins")
    elif principal is not None or access in (Access.PUBLIC, Access.SELF):
        return principal or anonymous
    if rejected:
        raise ProblemError(401, "invalid-credentials", "Invalid credentials",
                           "the session has ended or the API key is not valid; sign in "
                           "again", headers=USER_CHALLENGE)  # fmt: skip
    raise ProblemError(401, "unauthorized", "Authentication required",
                       "sign in, or send 'Authorization: Bearer <api key>'",
                       headers=USER_CHALLENGE)  # fmt: skip


def session_cookie(scope: Scope) -> str | None:
    raw = header(scope, b"cookie")
    if not raw:
        return None
    for part in raw.split(";"):
        name, sep, value = part.strip().partition("=")
        if sep and name == SESSION_COOKIE:
            return value.strip().strip('"')
    return None


class AccessGate:
    """Authenticate and apply :func:`decide` before the route (see the module doc)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self._admin_routes: list[Any] | None = None  # found on first use

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        try:
            principal = self._admit(scope)
        except ProblemError as exc:
            await deny(scope, receive, send, exc.status, exc.slug, exc.title, exc.detail,
                       exc.headers)  # fmt: skip
            return
        scope["state"]["principal"] = principal
        await self.app(scope, receive, send)

    def _admit(self, scope: Scope) -> Principal:
        auth: AuthState = scope["app"].state.auth
        state: dict[str, Any] = scope.setdefault("state", {})
        client: ClientInfo = state["client"]
        access = classify(route_path(scope))
        authorization = header(scope, b"authorization")
        cookie = session_cookie(scope)
        principal, rejected = auth.authenticate(authorization, cookie, client)
        users_exist = principal is not None or access is Access.OPEN or auth.store.accounts.exist()
        admitted = decide(access, principal, rejected, client, users_exist, auth.settings)
        if scope["type"] == "http" and scope["method"] not in SAFE_METHODS:
            if admitted.via == "session" and not (
                header(scope, b"origin") or header(scope, b"sec-fetch-site")
            ):
                raise ProblemError(403, "csrf", "Cross-site request refused",
                                   "a state-changing request signed in by cookie must come "
                                   "from the web app (Origin header missing)")  # fmt: skip
            if not admitted.admin and self._is_admin_route(scope):
                refuse_non_admin(admitted, auth.settings.admin_token, authorization)
        return admitted

    def _is_admin_route(self, scope: Scope) -> bool:
        if self._admin_routes is None:
            self._admin_routes = [
                route for route in all_routes(scope["app"].router.routes)
                if any(getattr(d, "dependency", None) is _require_admin
                       for d in getattr(route, "dependencies", ()))
            ]  # fmt: skip
        return any(route.matches(scope)[0] is Match.FULL for route in self._admin_routes)


def install_access(app: FastAPI, settings: Settings) -> None:
    """The edge checks, then the access gate, in front of every route (call before the
    app's outer middleware, which then sees every refusal too)."""
    app.add_middleware(AccessGate)
    app.add_middleware(EdgeGuard, settings=settings)


async def open_auth(settings: Settings, state: ServerState) -> AuthState:
    """The users' store and budgets for a starting app; ``/ws`` positions spend budgets."""
    store = await asyncio.to_thread(UserStore.for_settings, settings,
                                    session_ttl_s=settings.session_ttl_s)  # fmt: skip
    auth = AuthState(settings, store)
    shared = state.engine.cache.shared
    if shared is not None and auth.budget.enabled:  # one budget per user for the cluster
        auth.cluster_budget = ClusterBudget(auth.budget, SharedCounters(shared.tier))
        auth.cluster_budget.start()
    hub = state.hub
    gate = WarmingBudget(auth.budget, state.engine, hub.on_position, hub.principal_of)
    leave = hub.on_leave

    def left(listener: str) -> None:
        gate.forget(listener)
        leave(listener)

    hub.on_position, hub.on_leave = gate, left
    return auth
