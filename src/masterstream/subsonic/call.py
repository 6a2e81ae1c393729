"""One Subsonic request as a handler sees it (:class:`SubsonicCall`) and how a method is
declared (:class:`Method`)."""

from __future__ import annotations

import asyncio
import math
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from .errors import NOT_AUTHORISED, SubsonicError, invalid, missing

if TYPE_CHECKING:
    from starlette.requests import Request
    from starlette.responses import Response

    from ..api.auth import Principal
    from ..api.state import ServerState
    from ..users import User

Payload = dict[str, Any]
Handler = Callable[["SubsonicCall"], Awaitable["Payload | Response"]]
_TRUE, _FALSE = ("true", "1", "yes"), ("false", "0", "no")


@dataclass(frozen=True, slots=True)
class Method:
    """A Subsonic method: its handler, whether it needs a user, and whether an admin."""

    handler: Handler
    auth: bool = True
    admin: bool = False


@dataclass(slots=True)
class SubsonicCall:
    """The parameters (query and form, every value of each), who asks and the server."""

    params: dict[str, list[str]]
    state: ServerState
    request: Request
    format: Literal["xml", "json"] = "xml"
    user: User | None = None
    principal: Principal | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def client_name(self) -> str:
        return self.get("c") or ""

    def get(self, name: str, default: str | None = None) -> str | None:
        """The first value of ``name``, else ``default``."""
        values = self.params.get(name)
        return values[0] if values else default

    def get_all(self, name: str) -> list[str]:
        return list(self.params.get(name, ()))

    def require(self, name: str) -> str:
        """The first value of ``name``; error 10 when it is missing."""
        value = self.get(name)
        if value is None:
            raise missing(name)
        return value

    def _number(self, name: str, convert: Callable[[str], Any], what: str) -> Any:
        """``convert`` of the parameter's first value (None when absent or empty)."""
        raw = self.get(name)
        if raw is None or raw == "":
            return None
        try:
            value = convert(raw.strip())
        except ValueError:
            raise invalid(name, f"not {what}: {raw[:40]!r}") from None
        if not math.isfinite(value):
            raise invalid(name, f"not a finite number: {raw[:40]!r}")
        return value

    def get_int(
        self, name: str, default: int | None = None, *, minimum: int | None = None,
        maximum: int | None = None,
    ) -> int | None:  # fmt: skip
        """An integer parameter, clamped to [minimum, maximum] (clients send out-of-range
        sizes; real servers clamp them rather than fail)."""
        value = self._number(name, int, "an integer")
        if value is None:
            return default
        if minimum is not None:
            value = max(minimum, value)
        return value if maximum is None else min(maximum, value)

    def get_float(
        self, name: str, default: float | None = None, *, minimum: float | None = None,
        maximum: float | None = None,
    ) -> float | None:  # fmt: skip
        """A number parameter; outside [minimum, maximum] is an error."""
        value = self._number(name, float, "a number")
        if value is None:
            return default
        if (minimum is not None and value < minimum) or (maximum is not None and value > maximum):
            raise invalid(name, f"must be in [{minimum}, {maximum}], got {value:g}")
        return value

    def get_bool(self, name: str, default: bool | None = None) -> bool | None:
        raw = self.get(name)
        if raw is None or raw == "":
            return default
        if raw.lower() in _TRUE:
            return True
        if raw.lower() in _FALSE:
            return False
        raise invalid(name, f"not a boolean: {raw[:40]!r}")

    def require_user(self) -> User:
        """The user asking; error 50 for the anonymous loopback principal of a server
        without users (``user`` is None then, as for methods without auth)."""
        if self.user is None:
            raise SubsonicError(NOT_AUTHORISED, "this method needs a signed-in user")
        return self.user


def blocking(work: Callable[[SubsonicCall], Payload]) -> Handler:
    """A handler running ``work`` (SQLite reads, CPU) in a thread, off the event loop."""

    async def handler(call: SubsonicCall) -> Payload:
        return await asyncio.to_thread(work, call)

    handler.__name__ = handler.__qualname__ = work.__name__
    return handler
