"""What the running server holds: options, and the state the lifespan builds.

:class:`ServerOptions` are the server's own knobs (WebSocket cadence and limits, monitor
cadence); :class:`ServerState` is created in the lifespan and kept on ``app.state.ms``,
so nothing lives at import time and every test builds its own.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from starlette.requests import HTTPConnection

if TYPE_CHECKING:
    from prometheus_client import CollectorRegistry

    from ..config import Settings
    from ..monitoring import CacheMonitor, EndpointMetrics
    from ..service.engine import Engine
    from ..service.request import ChunkRequest
    from .http_metrics import HttpMetrics
    from .recording import RequestRecorder
    from .websocket import WebSocketHub


@dataclass(frozen=True, slots=True)
class ServerOptions:
    """Server knobs that are not part of :class:`~masterstream.config.Settings`."""

    prepare_library: bool = True
    prepare_plans: bool = True  # plan the default preset for every track in the background
    progress: Callable[[], AbstractContextManager[Any]] | None = None
    monitor_interval_s: float = 1.0
    stats_interval_s: float = 2.0
    ping_interval_s: float = 30.0
    pong_timeout_s: float = 10.0
    ws_max_message_bytes: int = 64 * 1024
    ws_messages_per_s: float = 20.0
    ws_burst_messages: int = 40
    ws_queue_frames: int = 64


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
