"""Recording every cache-served request in ``EndpointMetrics`` and the monitor.

The chunk, stream and track routes run their handlers through the seed's
``CacheAwareEndpoint(...).track_request`` (one per route, built at start-up), which times
the handler, records it in ``EndpointMetrics`` under the route's name and updates the
monitor, which the app builds with ``min_update_interval_s``: a burst of hits costs one
snapshot per interval instead of one per request (a snapshot walks every tier's keys).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from ..monitoring import CacheAwareEndpoint

if TYPE_CHECKING:
    from .state import ServerState

CHUNK_ENDPOINT = "/api/tracks/{track_id}/chunks/{chunk_idx}"
STREAM_ENDPOINT = "/api/tracks/{track_id}/stream"
TRACK_ENDPOINT = "/api/tracks/{track_id}"
Handler = Callable[[], Awaitable[tuple[Any, str]]]


def build_recorders(state: ServerState) -> None:
    """One seed ``CacheAwareEndpoint`` per cache-served route, sharing metrics and monitor."""
    monitor = state.monitor

    def endpoint(name: str) -> Callable[[Handler], Callable[[], Awaitable[dict[str, Any]]]]:
        tracker = CacheAwareEndpoint(
            state.engine.cache, monitor=monitor, metrics=state.metrics, endpoint=name
        )
        return tracker.track_request

    state.chunk_endpoint = endpoint(CHUNK_ENDPOINT)
    state.stream_endpoint = endpoint(STREAM_ENDPOINT)
    state.track_endpoint = endpoint(TRACK_ENDPOINT)
