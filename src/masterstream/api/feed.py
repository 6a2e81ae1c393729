"""The live feed behind the WebSocket: monitor updates, transitions and periodic stats.

:meth:`LiveFeed.run` ticks in the background for the server's lifetime: it updates the
``CacheMonitor`` (``monitor_interval_s``), publishes ``health_changed`` when the health
status changes and ``alert`` frames when an alert is raised or resolved, publishes
``track_cache_progress`` when the cached share of the track being played or warmed
changes, and ``cache_stats`` every ``stats_interval_s`` while anyone is subscribed.
"""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Any

from ..monitoring import CacheStatsResponse, format_cache_stats
from ..service.request import ChunkRequest, PlaybackPosition
from .state import ServerState

log = logging.getLogger("masterstream.api")


class LiveFeed:
    """Turns cache and monitor state into WebSocket frames."""

    def __init__(self, state: ServerState) -> None:
        self.state = state
        self._status: str | None = None
        self._alerts: dict[str, dict[str, Any]] = {}
        self._progress: dict[ChunkRequest, float] = {}
        self._last_stats_s = 0.0

    def stats_payload(self) -> dict[str, Any]:
        formatted = format_cache_stats(self.state.engine.cache.get_stats())
        return CacheStatsResponse(**formatted).model_dump(mode="json")

    def health_payload(self) -> dict[str, Any]:
        return self.state.monitor.get_health().model_dump(mode="json")

    def active_alerts(self) -> list[dict[str, Any]]:
        _status, alerts = self.state.monitor.get_health_status()
        return [a.to_dict() for a in alerts]

    def tracks_payload(self) -> list[dict[str, Any]]:
        """Every track with its cache status (on the variant last played or requested)."""
        from .routes.tracks import track_summary

        cached = self.state.engine.cache.get_stats()["tracks"]
        return [
            {**track_summary(self.state, record), "cache": cached.get(record.id)}
            for record in self.state.engine.library.records()
        ]

    async def snapshot(self, topics: set[str]) -> dict[str, Any]:
        """What a client sees right after subscribing to ``topics``."""
        out: dict[str, Any] = {}
        if "cache_stats" in topics:
            out["cache_stats"] = self.stats_payload()
        if "health" in topics:
            out["health"] = self.health_payload()
        if "alerts" in topics:
            out["alerts"] = self.active_alerts()
        if "tracks" in topics:
            out["tracks"] = self.tracks_payload()
        return out

    def playback_position(self, position: PlaybackPosition, listener: str) -> None:
        """A WebSocket listener's ``playback_position``: the warmer follows it (an unknown
        track raises ``TrackNotFoundError``)."""
        self.state.engine.follow(listener, position)
        self.state.playing[listener] = ChunkRequest(
            position.track_id, 0, position.variant, position.fmt
        )

    def listener_left(self, listener: str) -> None:
        self.state.playing.pop(listener, None)
        self.state.engine.unfollow(listener)

    def _progress_payload(self, job: ChunkRequest) -> dict[str, Any]:
        variant = job.variant
        status = self.state.engine.cache.track_status(
            job.track_id, variant.key_preset, variant.intensity, job.fmt
        )
        return {**status, "preset": variant.preset, "intensity": variant.intensity,
                "format": job.fmt}  # fmt: skip

    async def warming_progress(self, job: ChunkRequest, done: int, total: int) -> None:
        self.state.hub.publish("tracks", "track_cache_progress", {
            **self._progress_payload(job), "warmed_chunks": done, "source": "warm",
        })  # fmt: skip

    async def run(self) -> None:
        options = self.state.options
        tick_s = min(options.monitor_interval_s, options.stats_interval_s)
        while True:
            await asyncio.sleep(tick_s)
            try:
                self.tick()
            except Exception:  # the feed must outlive any one bad tick
                log.exception("live feed tick failed")

    def tick(self) -> None:
        state = self.state
        state.monitor.update_metrics()  # throttled: reuses a snapshot a request just took
        self._publish_transitions()
        self._publish_playback_progress()
        now_s = time.monotonic()
        if (
            now_s - self._last_stats_s >= state.options.stats_interval_s
            and state.hub.has_subscribers("cache_stats")
        ):
            self._last_stats_s = now_s
            state.hub.publish("cache_stats", "cache_stats", self.stats_payload())

    def _publish_transitions(self) -> None:
        hub = self.state.hub
        status, alerts = self.state.monitor.get_health_status()
        level = status.value
        if self._status is not None and level != self._status:
            hub.publish("health", "health_changed",
                        {"previous": self._status, "status": level,
                         "health": self.health_payload()})  # fmt: skip
        self._status = level
        current = {a.id: a.to_dict() for a in alerts}
        for key, alert in current.items():
            previous = self._alerts.get(key)
            if previous is None:
                hub.publish("alerts", "alert", {"state": "raised", "alert": alert})
                _log_alert("raised", alert)
            elif previous["level"] != alert["level"]:  # e.g. critical -> warning on recovery
                hub.publish("alerts", "alert", {"state": "changed", "alert": alert})
                _log_alert("changed", alert)
        for key, alert in self._alerts.items():
            if key not in current:
                hub.publish("alerts", "alert", {"state": "resolved", "alert": alert})
                _log_alert("resolved", alert)
        self._alerts = current

    def _publish_playback_progress(self) -> None:
        """``track_cache_progress`` for each track a WebSocket listener plays, on change."""
        progress: dict[ChunkRequest, float] = {}
        for job in set(self.state.playing.values()):
            payload = self._progress_payload(job)
            progress[job] = float(payload["completion_percent"])
            if self._progress.get(job) != progress[job]:
                self.state.hub.publish(
                    "tracks", "track_cache_progress", {**payload, "source": "playback"}
                )
        self._progress = progress


def _log_alert(state: str, alert: dict[str, Any]) -> None:
    """Once per transition: raised at the alert's level, changed and resolved at INFO."""
    level = logging.INFO
    if state == "raised":
        level = logging.ERROR if alert["level"] == "critical" else logging.WARNING
    log.log(level, "alert %s: %s (%s): %s — %s = %s, threshold %s", state, alert["id"],
            alert["level"], alert["title"], alert["metric"], alert["current_value"],
            alert["threshold"])  # fmt: skip
