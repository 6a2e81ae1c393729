"""Recording every cache-served request in ``EndpointMetrics`` and the monitor.

The chunk, stream and track routes run their handlers through the seed's
``CacheAwareEndpoint(...).track_request`` (one per route, built at start-up), which times
the handler, records it in ``EndpointMetrics`` under the route's name and updates the
monitor. The monitor is reached through :class:`ThrottledMonitor`, so a burst of hits costs one
snapshot per interval instead of one per request (a snapshot walks every tier's keys).
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from ..monitoring import CacheAwareEndpoint

if TYPE_CHECKING:
    from .state import ServerState

CHUNK_ENDPOINT = "/api/tracks/{track_id}/chunks/{chunk_idx}"
STREAM_ENDPOINT = "/api/tracks/{track_id}/stream"
TRACK_ENDPOINT = "/api/tracks/{track_id}"
Handler = Callable[[], Awaitable[tuple[Any, str]]]


class ThrottledMonitor:
    """A ``CacheMonitor`` seen through a rate limit on ``update_metrics``."""

    def __init__(self, monitor: Any, *, min_interval_s: float, clock=time.monotonic) -> None:
        self.monitor = monitor
        self.min_interval_s = min_interval_s
        self.clock = clock
        self._last_s = float("-inf")

    def update_metrics(self) -> Any:
        now_s = self.clock()
        if now_s - self._last_s < self.min_interval_s:
            return None
        self._last_s = now_s
        return self.monitor.update_metrics()

    def __getattr__(self, name: str) -> Any:
        return getattr(self.monitor, name)


def build_recorders(state: ServerState) -> None:
    """One seed ``CacheAwareEndpoint`` per cache-served route, sharing metrics and monitor."""
    monitor = state.monitor_updates

    def endpoint(name: str) -> Callable[[Handler], Awaitable[dict[str, Any]]]:
        tracker = CacheAwareEndpoint(
            state.engine.cache, monitor=monitor, metrics=state.metrics, endpoint=name
        )
        return tracker.track_request

    state.chunk_endpoint = endpoint(CHUNK_ENDPOINT)
    state.stream_endpoint = endpoint(STREAM_ENDPOINT)
    state.track_endpoint = endpoint(TRACK_ENDPOINT)
