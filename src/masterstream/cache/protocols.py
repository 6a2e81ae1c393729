"""The small protocols through which the cache talks to the rest of masterstream.

The cache knows nothing of audio or mastering. The service layer implements
:class:`TrackResolver` (what a track looks like to the cache) and :class:`Renderer` (the
bytes of one chunk; the service runs the CPU-bound DSP in its own pool, never on the event
loop, most urgent work first: :class:`Priority`).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum
from typing import Protocol

from .keys import ChunkKey


class Lane(IntEnum):
    """Who waits for a piece of work, most urgent first."""

    ONDEMAND = 0  # a listener is waiting for this chunk (or the plan it needs)
    LOOKAHEAD = 1  # a listener will need it soon (the warmer's look-ahead)
    WARM = 2  # a seek might need it (the rest of a playing track, POST /api/cache/warm)
    BACKGROUND = 3  # nobody waits (plans and analysis after a scan)


@dataclass(frozen=True, order=True, slots=True)
class Priority:
    """Lane first, then the nearest deadline (monotonic seconds)."""

    lane: Lane
    deadline_s: float = 0.0


ONDEMAND_NOW = Priority(Lane.ONDEMAND)


@dataclass(frozen=True, slots=True)
class TrackCacheInfo:
    """What the cache needs to know about a track: its content signature and geometry."""

    signature: str
    chunk_count: int
    chunk_duration_s: float


class TrackResolver(Protocol):
    """Looks up a track for the cache. Called on every lookup, so it must be cheap."""

    def track_cache_info(self, track_id: int) -> TrackCacheInfo:
        """Raises :class:`masterstream.errors.TrackNotFoundError` for an unknown track."""
        ...


class Renderer(Protocol):
    """Renders one chunk to its encoded bytes at ``priority`` (may raise ``RenderError``).

    A plain ``async def render(key, priority)`` is one. A renderer that queues work may
    also have ``promote(key, priority)``: the cache calls it when a more urgent caller
    joins a render that may still be queued."""

    async def __call__(self, key: ChunkKey, priority: Priority) -> bytes: ...
