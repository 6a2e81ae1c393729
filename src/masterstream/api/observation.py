"""Watching every HTTP request once: request id, Prometheus metrics and the access log.

:class:`RequestObserver` is the outermost middleware of the app's own stack. It gives each
request an id — the client's ``X-Request-ID`` when the request comes from a trusted proxy
(``Settings.trusted_proxies``), a new one otherwise — exposes it in :data:`REQUEST_ID`
(so log lines and problem documents carry it) and in the ``X-Request-ID`` response
header, then counts the request in :class:`~masterstream.api.http_metrics.HttpMetrics`
by route template, method, status and cache source (routes that serve chunks set
``request.state.cache_source``) and, when enabled, writes one access-log line: method,
path, status, duration, cache source, body bytes, request id. A response cut after it
started counts as status 500.
"""

from __future__ import annotations

import logging
import os
import re
import time

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ..logs import REQUEST_ID

access_log = logging.getLogger("masterstream.access")
_CLIENT_ID = re.compile(rb"[A-Za-z0-9._:-]{1,64}")


class RequestObserver:
    """Request id, metrics and access log around every HTTP request."""

    def __init__(
        self, app: ASGIApp, *, trusted_proxies: tuple[str, ...] = (), log_access: bool = False
    ) -> None:
        self.app = app
        self.trusted_proxies = frozenset(trusted_proxies)
        self.log_access = log_access

    def _request_id(self, scope: Scope) -> str:
        client = scope.get("client")
        if client and client[0] in self.trusted_proxies:
            for name, value in scope["headers"]:
                if name == b"x-request-id" and _CLIENT_ID.fullmatch(value):
                    return value.decode("ascii")
        return os.urandom(8).hex()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        request_id = self._request_id(scope)
        token = REQUEST_ID.set(request_id)
        header = (b"x-request-id", request_id.encode("ascii"))
        status, sent_bytes = 500, 0

        async def observe(message: Message) -> None:
            nonlocal status, sent_bytes
            if message["type"] == "http.response.start":
                status = message["status"]
                message["headers"] = [*message.get("headers", ()), header]
            elif message["type"] == "http.response.body":
                sent_bytes += len(message.get("body", b""))
            await send(message)

        try:
            await self.app(scope, receive, observe)
        except Exception:
            status = 500  # cut after it started (or never started)
            raise
        finally:
            self._record(scope, status, sent_bytes, time.perf_counter() - started)
            REQUEST_ID.reset(token)

    def _record(self, scope: Scope, status: int, sent_bytes: int, duration_s: float) -> None:
        source = scope.get("state", {}).get("cache_source", "none")
        route = getattr(scope.get("route"), "path", None) or "unmatched"
        state = getattr(scope["app"].state, "ms", None)
        http_metrics = getattr(state, "http_metrics", None)
        if http_metrics is not None:
            http_metrics.observe_request(route, scope["method"], status, source, duration_s)
        if self.log_access and access_log.isEnabledFor(logging.INFO):
            access_log.info(
                "%s %s %s %.1fms %s %dB", scope["method"], scope["path"], status,
                duration_s * 1000.0, source, sent_bytes,
                extra={"method": scope["method"], "path": scope["path"], "status": status,
                       "duration_ms": round(duration_s * 1000.0, 3), "cache_source": source,
                       "bytes": sent_bytes, "request_id": REQUEST_ID.get()},
            )  # fmt: skip
