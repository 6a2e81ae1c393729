"""CacheMonitor: snapshots of a cache manager's stats, threshold alerts, trends, summary.

The monitor reads a :class:`~.figures.StatsSource`: a cache's typed ``stats()`` when it
has one (``ChunkCache``: no cached key is visited), else any object with ``get_stats()``
returning the seed's dict shape (sync; ``aupdate_metrics`` also accepts an async
``get_stats``). ``update_metrics`` appends a
:class:`CacheMetrics` snapshot to ``metrics_history`` (at most ``max_history``) and
evaluates the rules of :mod:`.alerts`; the thresholds are public attributes read at every
evaluation, so adjusting one takes effect at the next update. Time comes from the
injected ``clock`` (seconds since the epoch, ``time.time`` by default), which is also
what alert expiry is measured with. A lock makes updates safe from several threads.
"""

from __future__ import annotations

import inspect
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from ..errors import MonitoringError, UnknownMetricError
from .alerts import DEFAULT_ALERT_LIFETIME_S, AlertBook, AlertRule, CacheAlert, HealthStatus, worst
from .figures import Stats, cache_figures, read_figures
from .schemas import CacheAlertResponse, CacheHealthResponse
from .snapshot import HIT_RATE_METRICS, METRICS, SIZE_METRICS, CacheMetrics
from .source import SnapshotSource, StatsSource
from .trends import DEFAULT_RELATIVE_THRESHOLD, assess, direction

__all__ = ["CacheMetrics", "CacheMonitor"]

SIZE_WATCH_FRACTION = 0.8
"""A size rising while at or above this share of its limit is assessed as degrading."""


class CacheMonitor:
    """Health, alerts and trends of a cache manager, from periodic snapshots of its stats."""

    def __init__(
        self,
        cache_manager: Any,
        *,
        clock: Callable[[], float] = time.time,
        tier1_size_limit_mb: float = 15.0,
        tier2_size_limit_mb: float = 250.0,
        total_size_limit_mb: float = 260.0,
        min_hit_rate_warning: float = 0.70,
        min_hit_rate_critical: float = 0.50,
        max_history: int = 100,
        alert_lifetime_s: float = DEFAULT_ALERT_LIFETIME_S,
        min_requests: int = 100,
        size_hysteresis: float = 0.02,
        hit_rate_hysteresis: float = 0.02,
        trend_threshold: float = DEFAULT_RELATIVE_THRESHOLD,
        min_update_interval_s: float = 0.0,
    ) -> None:
        if not isinstance(cache_manager, StatsSource | SnapshotSource):
            raise MonitoringError("the cache manager must have a get_stats() or stats() method")
        self.cache_manager = cache_manager
        self.clock = clock
        self.tier1_size_limit_mb = tier1_size_limit_mb
        self.tier2_size_limit_mb = tier2_size_limit_mb
        self.total_size_limit_mb = total_size_limit_mb
        self.min_hit_rate_warning = min_hit_rate_warning
        self.min_hit_rate_critical = min_hit_rate_critical
        self.max_history = max_history
        self.alert_lifetime_s = alert_lifetime_s
        self.min_requests = min_requests
        self.size_hysteresis = size_hysteresis
        self.hit_rate_hysteresis = hit_rate_hysteresis
        self.trend_threshold = trend_threshold
        self.min_update_interval_s = min_update_interval_s
        self._last_update_s: float | None = None
        self.metrics_history: list[CacheMetrics] = []
        self._alerts = AlertBook(alert_lifetime_s, clock=self.now)
        self._check_thresholds()
        self._lock = threading.RLock()

    def _check_thresholds(self) -> None:
        for name in ("tier1_size_limit_mb", "tier2_size_limit_mb", "total_size_limit_mb"):
            if not getattr(self, name) > 0:
                raise MonitoringError(f"{name} must be > 0, got {getattr(self, name)!r}")
        warning, critical = self.min_hit_rate_warning, self.min_hit_rate_critical
        if not 0 <= critical <= warning <= 1:
            raise MonitoringError(
                "hit-rate thresholds need 0 <= min_hit_rate_critical <= min_hit_rate_warning"
                f" <= 1, got critical={critical!r}, warning={warning!r}"
            )
        if isinstance(self.max_history, bool) or not isinstance(self.max_history, int):
            raise MonitoringError(f"max_history must be an int, got {self.max_history!r}")
        if self.max_history < 1 or self.min_requests < 0 or not self.alert_lifetime_s > 0:
            raise MonitoringError(
                "need max_history >= 1, min_requests >= 0 and alert_lifetime_s > 0"
            )

    def now(self) -> datetime:
        return datetime.fromtimestamp(self.clock(), UTC)

    # --- snapshots and rules -------------------------------------------------------------

    def update_metrics(self) -> CacheMetrics:
        """Take a snapshot, keep it in ``metrics_history`` and evaluate the alert rules.

        With ``min_update_interval_s`` set, a call sooner than that after the last snapshot
        returns the last snapshot instead of reading the cache again (a seed-shaped
        ``get_stats()`` may walk every cached key; throttling here serves all callers)."""
        recent = self._recent_snapshot()
        if recent is not None:
            return recent
        if isinstance(self.cache_manager, SnapshotSource):
            return self.record_stats(read_figures(self.cache_manager))
        stats = self.cache_manager.get_stats()
        if inspect.isawaitable(stats):
            if inspect.iscoroutine(stats):
                stats.close()
            raise MonitoringError("get_stats() is async here: use 'await aupdate_metrics()'")
        return self.record_stats(stats)

    async def aupdate_metrics(self) -> CacheMetrics:
        """``update_metrics`` for async callers (awaits an async ``get_stats``)."""
        recent = self._recent_snapshot()
        if recent is not None:
            return recent
        if isinstance(self.cache_manager, SnapshotSource):
            return self.record_stats(read_figures(self.cache_manager))
        stats = self.cache_manager.get_stats()
        if inspect.isawaitable(stats):
            stats = await stats
        return self.record_stats(stats)

    def record_stats(self, stats: Stats) -> CacheMetrics:
        """Snapshot already fetched stats, typed or a ``get_stats()`` dict (what both
        updates call)."""
        with self._lock:
            self._last_update_s = self.clock()
            figures = cache_figures(stats)
            metrics = CacheMetrics.from_stats(figures, self.now())
            self.metrics_history.append(metrics)
            excess = len(self.metrics_history) - max(1, int(self.max_history))
            if excess > 0:
                del self.metrics_history[:excess]
            self._evaluate(metrics)
            self._alerts.evaluate_faults(figures, metrics.timestamp)
            return metrics

    def _recent_snapshot(self) -> CacheMetrics | None:
        if self.min_update_interval_s <= 0 or self._last_update_s is None:
            return None
        if self.clock() - self._last_update_s >= self.min_update_interval_s:
            return None
        with self._lock:
            return self.metrics_history[-1] if self.metrics_history else None

    def rules(self) -> list[AlertRule]:
        """The alert rules with the current thresholds (titles name the tier)."""
        sizes = (
            ("tier1_size", "tier1_size_mb", "Tier 1 size", self.tier1_size_limit_mb),
            ("tier2_size", "tier2_size_mb", "Tier 2 size", self.tier2_size_limit_mb),
            ("total_size", "total_size_mb", "Total cache size", self.total_size_limit_mb),
        )
        rules = [
            AlertRule(rule_id, metric, label, "above", limit, unit="MB",
                      hysteresis=self.size_hysteresis * limit,
                      titles={HealthStatus.CRITICAL: f"{label} exceeded"})
            for rule_id, metric, label, limit in sizes
        ]  # fmt: skip
        titles = {
            HealthStatus.CRITICAL: "Cache hit rate critically low",
            HealthStatus.WARNING: "Cache hit rate low",
        }
        rules.append(
            AlertRule("overall_hit_rate", "overall_hit_rate", "Overall hit rate", "below",
                      self.min_hit_rate_critical, warning=self.min_hit_rate_warning,
                      hysteresis=self.hit_rate_hysteresis, unit="ratio", titles=titles)
        )  # fmt: skip
        return rules

    def _evaluate(self, metrics: CacheMetrics) -> None:
        now = metrics.timestamp
        self._alerts.lifetime_s = self.alert_lifetime_s
        for rule in self.rules():
            if rule.direction == "below" and metrics.total_requests < self.min_requests:
                self._alerts.resolve(rule.id)  # too few requests to judge a hit rate
                continue
            self._alerts.evaluate(rule, float(getattr(metrics, rule.metric)), now)

    # --- health --------------------------------------------------------------------------

    def get_health_status(self) -> tuple[HealthStatus, list[CacheAlert]]:
        """The worst level among active alerts and those alerts (most severe first)."""
        with self._lock:
            alerts = self._alerts.active(self.now())
        return worst([a.level for a in alerts]), alerts

    @property
    def alerts(self) -> list[CacheAlert]:
        return self.get_health_status()[1]

    def get_health(self) -> CacheHealthResponse:
        """The ``CacheHealthResponse`` of the latest snapshot (taking one if there is none)."""
        latest = self.metrics_history[-1] if self.metrics_history else self.update_metrics()
        status, alerts = self.get_health_status()
        return CacheHealthResponse(
            healthy=status is HealthStatus.HEALTHY,
            tier1_size_mb=latest.tier1_size_mb,
            tier1_healthy=latest.tier1_size_mb <= self.tier1_size_limit_mb,
            tier2_size_mb=latest.tier2_size_mb,
            tier2_healthy=latest.tier2_size_mb <= self.tier2_size_limit_mb,
            total_size_mb=latest.total_size_mb,
            memory_healthy=latest.total_size_mb <= self.total_size_limit_mb,
            tier1_hit_rate=latest.tier1_hit_rate,
            overall_hit_rate=latest.overall_hit_rate,
            timestamp=latest.timestamp,
            status=status,
            alerts=[CacheAlertResponse(**a.to_dict()) for a in alerts],
        )

    # --- trends and summary --------------------------------------------------------------

    def good_direction(self, metric_name: str, value: float) -> int:
        """+1 if up is good for the metric, -1 if bad, 0 if neutral (sizes under the watch
        fraction of their limit are neutral: a filling cache is not a problem)."""
        if metric_name in HIT_RATE_METRICS:
            return 1
        if metric_name in SIZE_METRICS:
            limit = getattr(self, metric_name.replace("_mb", "_limit_mb"))
            return -1 if value >= SIZE_WATCH_FRACTION * limit else 0
        return 0

    def get_trend(self, metric_name: str, window: int = 10) -> dict[str, Any]:
        """Direction of ``metric_name`` over the last ``window`` snapshots (Theil–Sen)."""
        if metric_name not in METRICS:
            raise UnknownMetricError(metric_name, METRICS)
        if isinstance(window, bool) or not isinstance(window, int) or window < 2:
            raise MonitoringError(f"window must be an int >= 2, got {window!r}")
        with self._lock:
            values = [float(getattr(m, metric_name)) for m in self.metrics_history[-window:]]
        fit = direction(values, relative_threshold=self.trend_threshold)
        value = values[-1] if values else None
        good = self.good_direction(metric_name, value) if value is not None else 0
        return {
            "metric": metric_name,
            "value": value,
            "previous": values[0] if values else None,
            "change": fit["change"],
            "change_percent": fit["change_percent"],
            "trend": fit["trend"],
            "assessment": assess(fit["trend"], good),
            "window": len(values),
        }

    def get_summary(self) -> dict[str, Any]:
        """Health (``health_status``, also as the older ``status``), per-tier and overall
        figures with trends, active alerts."""
        if not self.metrics_history:
            return {"status": "no_data", "health_status": "no_data"}
        latest = self.metrics_history[-1]
        status, alerts = self.get_health_status()

        def section(fields: dict[str, str], limit: float | None) -> dict[str, Any]:
            out: dict[str, Any] = {name: getattr(latest, metric) for name, metric in fields.items()}
            if limit is not None:
                out["size_limit_mb"] = limit
            out["trends"] = {name: self.get_trend(metric) for name, metric in fields.items()}
            return out

        return {
            "health_status": status.value,
            "status": status.value,
            "timestamp": latest.timestamp.isoformat(),
            "tier1": section(
                {
                    "hit_rate": "tier1_hit_rate",
                    "size_mb": "tier1_size_mb",
                    "chunks": "tier1_chunks",
                },
                self.tier1_size_limit_mb,
            ),
            "tier2": section(
                {
                    "hit_rate": "tier2_hit_rate",
                    "size_mb": "tier2_size_mb",
                    "chunks": "tier2_chunks",
                },
                self.tier2_size_limit_mb,
            ),
            "overall": section(
                {
                    "hit_rate": "overall_hit_rate",
                    "size_mb": "total_size_mb",
                    "tracks_cached": "tracks_cached",
                    "total_requests": "total_requests",
                },
                self.total_size_limit_mb,
            ),
            "alerts": [a.to_dict() for a in alerts],
            "alert_count": len(alerts),
            "history_length": len(self.metrics_history),
        }
