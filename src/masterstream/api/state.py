"""What the running server holds: options, and the state the lifespan builds.

:class:`ServerOptions` are the server's own knobs (WebSocket cadence and limits, monitor
cadence); :class:`ServerState` is created in the lifespan and kept on ``app.state.ms``,
so nothing lives at import time and every test builds its own.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from starlette.requests import HTTPConnection

from .options import ServerOptions

if TYPE_CHECKING:
    from prometheus_client import CollectorRegistry

    from ..config import Settings
    from ..monitoring import CacheMonitor, EndpointMetrics
    from ..service.engine import Engine
    from ..service.request import ChunkRequest
    from .http_metrics import HttpMetrics
    from .recording import RequestRecorder
    from .websocket import WebSocketHub


@dataclass(slots=True)
class ServerState:
    """Everything the routes use, built and closed by the app's lifespan."""

    settings: Settings
    options: ServerOptions
    engine: Engine
    monitor: CacheMonitor
    metrics: EndpointMetrics
    hub: WebSocketHub
    recorder: RequestRecorder
    registry: CollectorRegistry | None = None
    playing: dict[str, ChunkRequest] = field(default_factory=dict)
    http_metrics: HttpMetrics | None = None


async def get_state(request: HTTPConnection) -> ServerState:
    """The running server's state (a FastAPI dependency; async, so it never costs a
    thread-pool hop)."""
    return request.app.state.ms
