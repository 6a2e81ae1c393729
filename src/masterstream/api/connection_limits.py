"""Bounds on what slow or idle clients can hold: a header timeout, a connection cap, fds.

uvicorn closes idle keep-alive connections (``timeout_keep_alive``) but has no timeout for
a request whose headers never finish, so half-sent requests (slowloris) hold a connection
and a file descriptor forever. :func:`guarded_protocol` builds the HTTP protocol class
``masterstream serve`` runs with. A connection must deliver its request headers within
``header_timeout_s`` of connecting, or of the first byte of its next request, and in at most
``max_header_bytes``; otherwise it is closed (431 for oversized headers). At most
``max_connections`` are open: a new connection beyond that closes the oldest one still
waiting for a request (half-sent or idle keep-alive), or is itself closed when every
connection is busy. Requests beyond ``max_connections`` in flight get uvicorn's 503, except
the liveness and readiness probes, so ``/livez`` answers during a flood.

:func:`raise_open_files_limit` lifts the soft descriptor limit to the hard one at start.
Exposed servers should still sit behind a reverse proxy that buffers requests (nginx).
"""

from __future__ import annotations

import asyncio
import logging
import resource
import time
from dataclasses import dataclass
from typing import Any

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

log = logging.getLogger(__name__)

PROBE_PATHS = (b"/livez", b"/readyz")
"""Answered even beyond the connection cap (paths, query string ignored)."""
WARN_EVERY_S = 60.0
REJECT_431 = (
    b"HTTP/1.1 431 Request Header Fields Too Large\r\ncontent-length: 0\r\n"
    b"connection: close\r\n\r\n"
)


@dataclass(frozen=True, slots=True)
class ConnectionLimits:
    """How long and how much a client may take to send a request, and how many at once."""

    header_timeout_s: float = 10.0
    max_connections: int = 1000
    max_header_bytes: int = 65_536

    def __post_init__(self) -> None:
        if self.header_timeout_s <= 0 or self.max_connections < 1 or self.max_header_bytes < 1:
            raise ValueError("header_timeout_s, max_connections and max_header_bytes must be "
                             f"positive, got {self}")  # fmt: skip

    def uvicorn_options(self) -> dict[str, Any]:
        """Keyword arguments for ``uvicorn.run`` (the protocol class and the in-flight cap;
        the connection cap itself is kept by the protocol, one below uvicorn's check)."""
        return {
            "http": guarded_protocol(self),
            "limit_concurrency": self.max_connections + 1,
            "h11_max_incomplete_event_size": self.max_header_bytes,
        }


def raise_open_files_limit() -> tuple[int, int]:
    """Raise the soft RLIMIT_NOFILE to the hard limit; returns (soft, hard) after."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard == resource.RLIM_INFINITY or soft < hard:
        target = hard if hard != resource.RLIM_INFINITY else max(soft, 1_048_576)
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
            soft = target
        except (ValueError, OSError) as exc:
            log.warning("could not raise the open files limit from %d to %d: %s",
                        soft, target, exc)  # fmt: skip
    return soft, hard


def guarded_protocol(limits: ConnectionLimits) -> type[HttpToolsProtocol]:
    """A protocol class for one server: its own registry of connections awaiting a request."""
    waiting: dict[GuardedProtocol, None] = {}  # insertion order: oldest first
    closed = {"slow": 0, "evicted": 0, "oversized": 0, "warned_s": 0.0}

    class GuardedProtocol(HttpToolsProtocol):
        def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
            super().connection_made(transport)
            self._header_bytes = 0
            self._header_timer: asyncio.TimerHandle | None = None
            self._await_request(arm=True)
            if len(self.connections) > limits.max_connections:
                victim = next(iter(waiting), self)
                victim._shut("evicted")

        def connection_lost(self, exc: Exception | None) -> None:
            self._request_started()
            super().connection_lost(exc)

        def data_received(self, data: bytes) -> None:
            if self in waiting:
                if self._header_timer is None:  # the first byte of the next request
                    self._arm()
                self._header_bytes += len(data)
                if self._header_bytes > limits.max_header_bytes:
                    self.transport.write(REJECT_431)
                    self._shut("oversized")
                    return
            super().data_received(data)

        def on_headers_complete(self) -> None:
            self._request_started()
            if self.url.split(b"?", 1)[0] in PROBE_PATHS:
                limit, self.limit_concurrency = self.limit_concurrency, None
                try:
                    super().on_headers_complete()
                finally:
                    self.limit_concurrency = limit
                return
            super().on_headers_complete()

        def on_response_complete(self) -> None:
            super().on_response_complete()
            if not self.transport.is_closing() and not self.pipeline:
                self._await_request(arm=False)  # idle: uvicorn's keep-alive timer runs

        def _await_request(self, *, arm: bool) -> None:
            self._header_bytes = 0
            waiting[self] = None
            if arm:
                self._arm()

        def _arm(self) -> None:
            self._header_timer = self.loop.call_later(limits.header_timeout_s, self._shut, "slow")

        def _request_started(self) -> None:
            waiting.pop(self, None)
            if self._header_timer is not None:
                self._header_timer.cancel()
                self._header_timer = None

        def _shut(self, why: str) -> None:
            self._request_started()
            if not self.transport.is_closing():
                self.transport.close()
            closed[why] += 1
            now_s = time.monotonic()
            if now_s - closed["warned_s"] >= WARN_EVERY_S:
                closed["warned_s"] = now_s
                log.warning("closed connections so far: %d sent no complete request within "
                            "%.0f s, %d over the cap of %d, %d with headers over %d bytes",
                            closed["slow"], limits.header_timeout_s, closed["evicted"],
                            limits.max_connections, closed["oversized"],
                            limits.max_header_bytes)  # fmt: skip

    return GuardedProtocol
