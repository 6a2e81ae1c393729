"""Who a Subsonic request is from, from its own parameters.

Three ways, exactly one per request: ``u`` with the salted token ``t = md5(password + s)``
and ``s``; ``u`` with the legacy ``p`` (plain, or ``enc:`` and the password's UTF-8 in
hex); or the OpenSubsonic ``apiKey`` (one of the user's API keys, alone). The password is
the user's *Subsonic password* (:mod:`masterstream.users.subsonic`), never the sign-in
one. Failed attempts count against the same per-account and per-address throttle as the
web sign-in. While no user exists, loopback clients are admitted as the gate admitted
them (full rights, no user) and other addresses get error 50. Session cookies are not
honoured here: a cross-site ``GET`` carries them, and ``/rest`` changes state on ``GET``.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
from typing import TYPE_CHECKING

from ..api.access import NO_USER_DETAIL
from ..api.auth import admit
from .errors import (
    CONFLICTING_AUTH,
    INVALID_API_KEY,
    NOT_AUTHORISED,
    WRONG_CREDENTIALS,
    SubsonicError,
    missing,
)

if TYPE_CHECKING:
    from ..api.auth import AuthState, Principal
    from ..users import User
    from .call import SubsonicCall

VIA = "subsonic"
MAX_CREDENTIAL_CHARS = 2048


def token(password: str, salt: str) -> str:
    """The salted token a client sends as ``t``."""
    return hashlib.md5((password + salt).encode(), usedforsecurity=False).hexdigest()


def plain_password(p: str) -> str:
    """The password of a legacy ``p`` value (``enc:`` hex-encoded or plain)."""
    if not p.startswith("enc:"):
        return p
    try:
        return bytes.fromhex(p[4:]).decode()
    except ValueError:
        raise SubsonicError(WRONG_CREDENTIALS, "Wrong username or password") from None


def matches(password: str, *, t: str | None, s: str | None, p: str | None) -> bool:
    """Whether ``t``/``s`` or ``p`` prove ``password`` (compared in constant time)."""
    if t is not None:
        if s is None:
            raise missing("s")
        return hmac.compare_digest(token(password, s).encode(), t.lower().encode())
    presented = plain_password(p or "")
    return hmac.compare_digest(password.encode(), presented.encode())


def check_credentials(auth: AuthState, call: SubsonicCall) -> User | None:
    """The user the request's parameters prove, None for the loopback principal of a
    server without users; raises the Subsonic error that refuses it (runs in a thread)."""
    get = call.get
    principal: Principal = call.request.scope["state"]["principal"]
    if any(len(v) > MAX_CREDENTIAL_CHARS for k in ("u", "t", "s", "p", "apiKey")
           for v in call.get_all(k)):  # fmt: skip
        raise SubsonicError(WRONG_CREDENTIALS, "Wrong username or password")
    api_key, name = get("apiKey"), get("u")
    if api_key is not None:
        if name is not None or get("p") is not None or get("t") is not None:
            raise SubsonicError(CONFLICTING_AUTH, "apiKey cannot be combined with u, p or t")
        user = auth.store.keys.user(api_key)
        if user is None:
            raise SubsonicError(INVALID_API_KEY, "Invalid API key")
        return user
    if not auth.store.accounts.exist():
        if principal.via == "loopback":
            return None
        raise SubsonicError(NOT_AUTHORISED, NO_USER_DETAIL)
    if name is None:
        raise missing("u")
    t, s, p = get("t"), get("s"), get("p")
    if t is None and p is None:
        raise missing("t")
    address = principal.client.address
    wait_s = auth.throttle.retry_after_s(name, address)
    if wait_s is not None:
        raise SubsonicError(WRONG_CREDENTIALS, f"Too many failed attempts: retry in {wait_s:.0f} s")
    auth.throttle.attempt(name, address)
    found = auth.store.subsonic.credentials(name)
    password = found[1] if found is not None else "\0 not a password"
    if not matches(password, t=t, s=s, p=p) or found is None:
        raise SubsonicError(WRONG_CREDENTIALS, "Wrong username or password")
    auth.throttle.succeeded(name, address)
    return found[0]


async def authenticate(call: SubsonicCall) -> None:
    """Set ``call.user`` and ``call.principal`` (see the module doc), recording the user
    with :func:`~masterstream.api.auth.admit` so render budgets and the access log apply."""
    auth: AuthState = call.request.app.state.auth
    user = await asyncio.to_thread(check_credentials, auth, call)
    if user is None:
        call.principal = call.request.scope["state"]["principal"]
        return
    call.user = user
    call.principal = admit(call.request, user, VIA)
