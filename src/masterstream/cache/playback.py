"""What the warmer knows about playback: one stream per listener, extrapolated in time.

A stream is a listener's track, variant (preset, intensity, format, loudness mode) and last reported
position. Between reports the playhead advances at real-time pace. A report that changes
the track or variant, or lands more than one chunk away from the extrapolated playhead
(a seek), starts a new *generation*: work planned under the old one is stale.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Hashable
from dataclasses import dataclass, field

from .keys import TRACK_LOUDNESS, ChunkKey, quantize_intensity


@dataclass(slots=True)
class PlaybackStream:
    track_id: int
    preset: str | None
    intensity: float
    fmt: str
    position_s: float
    reported_at_s: float
    generation: int
    tried: set[tuple[ChunkKey, bool]] = field(default_factory=set)
    loudness: str = TRACK_LOUDNESS  # or "album": the key's album token comes from the WarmTarget
    start_s: float = 0.0  # where this generation started playing (a press of play, a seek)

    @property
    def variant(self) -> tuple[int, str | None, float, str, str]:
        return self.track_id, self.preset, self.intensity, self.fmt, self.loudness

    def playhead_s(self, now_s: float) -> float:
        return self.position_s + max(0.0, now_s - self.reported_at_s)


class PlaybackStreams:
    """Streams by listener, most recently reported last; bounded in number and age."""

    def __init__(self, *, max_streams: int = 32, idle_timeout_s: float = 900.0) -> None:
        self.max_streams = max_streams
        self.idle_timeout_s = idle_timeout_s
        self.generation = 0
        self._streams: OrderedDict[Hashable, PlaybackStream] = OrderedDict()

    def report(
        self,
        listener: Hashable,
        track_id: int,
        position_s: float,
        preset: str | None,
        intensity: float,
        fmt: str,
        *,
        now_s: float,
        chunk_duration_s: float,
        loudness: str = TRACK_LOUDNESS,
    ) -> PlaybackStream:
        level = 1.0 if preset is None else quantize_intensity(intensity)
        position_s = max(0.0, float(position_s))
        old = self._streams.pop(listener, None)
        same = old is not None and old.variant == (track_id, preset, level, fmt, loudness)
        if same and abs(position_s - old.playhead_s(now_s)) <= chunk_duration_s:
            stream = PlaybackStream(track_id, preset, level, fmt, position_s, now_s,
                                    old.generation, old.tried, loudness, old.start_s)  # fmt: skip
        else:
            self.generation += 1
            stream = PlaybackStream(track_id, preset, level, fmt, position_s, now_s,
                                    self.generation, set(), loudness, position_s)  # fmt: skip
        self._streams[listener] = stream
        while len(self._streams) > self.max_streams:
            self._streams.popitem(last=False)
        return stream

    def get(self, listener: Hashable) -> PlaybackStream | None:
        return self._streams.get(listener)

    def forget(self, listener: Hashable) -> bool:
        """Drop ``listener``'s stream (it stopped listening); queued work for it goes stale."""
        return self._streams.pop(listener, None) is not None

    def expire(self, now_s: float, track_end_s: dict[int, float]) -> None:
        """Drop streams not reported for ``idle_timeout_s`` or played past their end."""
        for listener, stream in list(self._streams.items()):
            end_s = track_end_s.get(stream.track_id)
            finished = end_s is not None and stream.playhead_s(now_s) >= end_s
            if finished or now_s - stream.reported_at_s > self.idle_timeout_s:
                del self._streams[listener]

    def most_recent_first(self) -> list[tuple[Hashable, PlaybackStream]]:
        return list(reversed(self._streams.items()))

    def __len__(self) -> int:
        return len(self._streams)
