"""The server's own knobs: WebSocket cadence and limits, monitor cadence, start-up work."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class ServerOptions:
    """Server knobs that are not part of :class:`~masterstream.config.Settings`."""

    prepare_library: bool = True
    prepare_plans: bool = True  # plan Settings.plan_presets for every track in the background
    progress: Callable[[], AbstractContextManager[Any]] | None = None
    monitor_interval_s: float = 1.0
    stats_interval_s: float = 2.0
    ping_interval_s: float = 30.0
    pong_timeout_s: float = 10.0
    ws_max_message_bytes: int = 64 * 1024
    ws_messages_per_s: float = 20.0
    ws_burst_messages: int = 40
    ws_queue_frames: int = 64
    access_log: bool = False  # one log line per request (masterstream.access, INFO)
