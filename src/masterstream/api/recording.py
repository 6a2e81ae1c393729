"""Recording every cache-served request in ``EndpointMetrics`` and the monitor.

Chunk requests (the chunk route and each chunk of a stream) are recorded straight from the
service's :class:`~masterstream.service.chunks.ChunkResult`: its source and timings, no
envelope, no header round trip. The JSON routes that report a cache source (track info)
run their handlers through the seed's ``CacheAwareEndpoint``. The monitor is built with
``min_update_interval_s``, so a burst of requests costs one snapshot per interval.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from ..monitoring import CacheAwareEndpoint, CacheMonitor, EndpointMetrics

if TYPE_CHECKING:
    from ..service.chunks import ChunkResult

log = logging.getLogger("masterstream.api")

CHUNK_ENDPOINT = "/api/tracks/{track_id}/chunks/{chunk_idx}"
STREAM_ENDPOINT = "/api/tracks/{track_id}/stream"
TRACK_ENDPOINT = "/api/tracks/{track_id}"


class RequestRecorder:
    """Feeds results into the shared ``EndpointMetrics`` and ``CacheMonitor``."""

    def __init__(self, cache: object, metrics: EndpointMetrics, monitor: CacheMonitor) -> None:
        self.metrics = metrics
        self.monitor = monitor
        self.track = CacheAwareEndpoint(cache, monitor, metrics, endpoint=TRACK_ENDPOINT)

    def chunk(self, endpoint: str, result: ChunkResult) -> None:
        """One chunk served (by the chunk route or as part of a stream)."""
        self.metrics.defer(endpoint, result.source, result.timings.total_ms)
        self._update_monitor()

    def failure(self, endpoint: str, elapsed_ms: float) -> None:
        """A chunk request that failed (recorded as an error, source ``miss``)."""
        self.metrics.record(endpoint, "miss", elapsed_ms, success=False)

    def _update_monitor(self) -> None:
        try:
            self.monitor.update_metrics()  # throttled: at most one snapshot per interval
        except Exception:  # monitoring must not fail the request it observed
            log.exception("cache monitor update failed")
