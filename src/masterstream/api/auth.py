"""Who is asking: principals from credentials, and the admin check.

A request carries at most one credential: ``Authorization: Bearer <token>`` — the
``--admin-token`` (automation) or an API key — or the session cookie the web app got at
sign-in. :meth:`AuthState.authenticate` turns it into a :class:`Principal`; the access
rules (:mod:`.access`) decide what that principal may reach. The admin token is compared
in constant time; API keys and session tokens are looked up by their SHA-256 digest,
so no secret is compared in Python at all. Secrets are never logged.
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from typing import TYPE_CHECKING, Annotated

from fastapi import Depends, Header, Request
from starlette.requests import HTTPConnection

from ..users.budget import RenderBudget
from ..users.keys import KEY_PREFIX
from ..users.throttle import SignInThrottle
from .clients import ClientInfo
from .problems import ProblemError

if TYPE_CHECKING:
    from ..config import Settings
    from ..users import User, UserStore
    from ..users.cluster_budget import ClusterBudget

SESSION_COOKIE = "ms_session"
CHALLENGE = {"WWW-Authenticate": 'Bearer realm="masterstream-admin"'}
USER_CHALLENGE = {"WWW-Authenticate": 'Bearer realm="masterstream"'}


@dataclass(frozen=True, slots=True)
class Principal:
    """Who a request acts for: a user (signed in or by API key), the admin token, or an
    anonymous client (with full rights only on loopback while no user exists)."""

    user: User | None
    via: str  # "session" | "api-key" | "admin-token" | "loopback" | "anonymous"
    client: ClientInfo
    admin: bool

    @property
    def budget_key(self) -> str:
        """Whose render budget this request spends: the user's, else the address's."""
        if self.user is not None:
            return f"user:{self.user.id}"
        return "admin-token" if self.via == "admin-token" else f"addr:{self.client.address}"

    @property
    def can_listen(self) -> bool:
        return self.via != "anonymous"


def bearer_token(authorization: str | None) -> str | None:
    """The token of an ``Authorization: Bearer <token>`` header, else None."""
    scheme, _, presented = (authorization or "").partition(" ")
    presented = presented.strip()
    return presented if scheme.lower() == "bearer" and presented else None


def check_admin(configured_token: str | None, authorization: str | None) -> None:
    """Raise the 401/403 problem unless ``authorization`` carries ``configured_token``."""
    if not configured_token:
        return
    presented = bearer_token(authorization)
    if presented is None:
        raise ProblemError(
            401, "unauthorized", "Authentication required",
            "this endpoint needs 'Authorization: Bearer <admin token>'", headers=CHALLENGE,
        )  # fmt: skip
    if not hmac.compare_digest(presented.encode(), configured_token.encode()):
        raise ProblemError(403, "forbidden", "Forbidden", "the admin token is not valid")


class AuthState:
    """The users' store, render budgets and sign-in throttle of one running app."""

    def __init__(self, settings: Settings, store: UserStore) -> None:
        self.settings = settings
        self.store = store
        self.budget = RenderBudget(settings.render_budget_per_minute)
        self.throttle = SignInThrottle()
        self.cluster_budget: ClusterBudget | None = None  # set when servers share Redis

    async def aclose(self) -> None:
        if self.cluster_budget is not None:
            await self.cluster_budget.aclose()
        self.store.close()

    def authenticate(
        self, authorization: str | None, session: str | None, client: ClientInfo
    ) -> tuple[Principal | None, bool]:
        """``(principal, rejected)``: the principal a credential names (None without one),
        and whether a credential was presented that names nobody."""
        token = bearer_token(authorization)
        if token is not None:
            configured = self.settings.admin_token
            if configured and hmac.compare_digest(token.encode(), configured.encode()):
                return Principal(None, "admin-token", client, admin=True), False
            user = self.store.keys.user(token) if token.startswith(KEY_PREFIX) else None
            if user is None:
                return None, True
            return Principal(user, "api-key", client, admin=user.is_admin), False
        if session:
            user = self.store.sessions.user(session)
            if user is None:
                return None, True
            return Principal(user, "session", client, admin=user.is_admin), False
        return None, False


def admit(connection: HTTPConnection, user: User, via: str) -> Principal:
    """Record ``user`` as who this request acts for, for a route that authenticates its own
    requests (Subsonic's ``/rest``): later budget checks and ``current_principal`` see it."""
    client = connection.scope["state"]["principal"].client
    principal = Principal(user, via, client, admin=user.is_admin)
    connection.scope["state"]["principal"] = principal
    return principal


def get_auth(connection: HTTPConnection) -> AuthState:
    return connection.app.state.auth


def current_principal(connection: HTTPConnection) -> Principal:
    """The principal the access gate admitted this request as (a FastAPI dependency)."""
    return connection.scope["state"]["principal"]


async def require_admin(
    request: Request,
    authorization: Annotated[str | None, Header(include_in_schema=False)] = None,
) -> None:
    """FastAPI dependency guarding the admin endpoints (the access gate checks the same
    before reading the body of a state-changing request)."""
    principal = current_principal(request)
    refuse_non_admin(principal, get_auth(request).settings.admin_token, authorization)


def refuse_non_admin(
    principal: Principal, admin_token: str | None, authorization: str | None
) -> None:
    """Raise the problem a non-admin gets: the admin-token challenge for a loopback client
    of a server without users (as before users existed), else 403."""
    if principal.admin:
        return
    if principal.via == "loopback":
        check_admin(admin_token, authorization)
        return
    raise ProblemError(403, "forbidden", "Forbidden", "this endpoint is for admins")


Admin = Annotated[None, Depends(require_admin)]
CurrentPrincipal = Annotated[Principal, Depends(current_principal)]
