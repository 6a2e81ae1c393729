"""Health levels, alerts and the threshold rules that raise, refresh and resolve them.

A rule watches one metric against thresholds. ``above`` rules (sizes) fire CRITICAL when
the value exceeds the limit; ``below`` rules (hit rate) fire CRITICAL below the critical
threshold and WARNING below the warning threshold. Each rule owns at most one alert:
re-evaluation refreshes its value, level and ``last_seen``, never adds a second one.

Hysteresis: a firing rule keeps its level until the value has moved ``hysteresis``
(in the metric's own units) past the threshold, so a value hovering around a threshold
does not flap. A CRITICAL hit-rate alert whose rate recovers past the critical band but
not past the warning band is downgraded to WARNING. An alert expires ``lifetime_s`` after
its last refresh (stale alerts from a monitor nobody updates do not linger).

Fault rules (:func:`tier_fault_rules`) watch a tier's ``degraded`` flag: a WARNING while
the disk tier stores nothing (writes failing), resolved as soon as it stores again.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    from .figures import CacheFigures

DEFAULT_ALERT_LIFETIME_S = 300.0


class HealthStatus(StrEnum):
    """Overall cache health: the worst level among active alerts."""

    HEALTHY = "healthy"
    WARNING = "warning"
    CRITICAL = "critical"

    @property
    def severity(self) -> int:
        return _SEVERITY[self]


_SEVERITY = {HealthStatus.HEALTHY: 0, HealthStatus.WARNING: 1, HealthStatus.CRITICAL: 2}


def worst(levels: list[HealthStatus]) -> HealthStatus:
    """The most severe level, HEALTHY for none."""
    return max(levels, key=lambda level: level.severity, default=HealthStatus.HEALTHY)


@dataclass
class CacheAlert:
    """One alert, owned by one rule (``id`` is the rule's id)."""

    id: str
    level: HealthStatus
    title: str
    description: str
    metric: str
    current_value: float
    threshold: float
    first_seen: datetime
    last_seen: datetime
    lifetime_s: float = DEFAULT_ALERT_LIFETIME_S
    clock: Callable[[], datetime] | None = field(default=None, repr=False, compare=False)

    @property
    def rule(self) -> str:
        return self.id

    @property
    def expires_at(self) -> datetime:
        return self.last_seen + timedelta(seconds=self.lifetime_s)

    def is_active(self, now: datetime | None = None) -> bool:
        """True until ``lifetime_s`` after the last refresh. ``now`` defaults to the clock
        of the monitor that raised the alert (the wall clock for a standalone alert)."""
        if now is None:
            now = self.clock() if self.clock is not None else datetime.now(UTC)
        return now < self.expires_at

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe fields (the shape of ``CacheAlertResponse``)."""
        return {
            "id": self.id,
            "rule": self.id,
            "level": self.level.value,
            "title": self.title,
            "description": self.description,
            "metric": self.metric,
            "current_value": self.current_value,
            "threshold": self.threshold,
            "first_seen": self.first_seen.isoformat(),
            "last_seen": self.last_seen.isoformat(),
        }


@dataclass(frozen=True)
class AlertRule:
    """Thresholds on one metric. ``warning`` applies to ``below`` rules only."""

    id: str
    metric: str
    label: str
    direction: Literal["above", "below"]
    critical: float
    warning: float | None = None
    hysteresis: float = 0.0
    unit: str = ""
    titles: dict[HealthStatus, str] = field(default_factory=dict)
    level: HealthStatus = HealthStatus.CRITICAL
    """The level an ``above`` rule raises."""
    description: str | None = None
    """A fixed description instead of the one computed from the value and threshold."""

    def level_for(self, value: float, current: HealthStatus | None) -> HealthStatus | None:
        """The level this value deserves given the level already raised (None: clear)."""
        margin = self.hysteresis
        if self.direction == "above":
            if value > self.critical or (current is not None and value > self.critical - margin):
                return self.level
            return None
        if value < self.critical:
            return HealthStatus.CRITICAL
        if current is HealthStatus.CRITICAL and value < self.critical + margin:
            return HealthStatus.CRITICAL
        if self.warning is None:
            return None
        if value < self.warning or (current is not None and value < self.warning + margin):
            return HealthStatus.WARNING
        return None

    def threshold_for(self, level: HealthStatus) -> float:
        if level is HealthStatus.WARNING and self.warning is not None:
            return self.warning
        return self.critical

    def describe(self, value: float, level: HealthStatus) -> str:
        if self.description is not None:
            return self.description
        threshold = self.threshold_for(level)
        if self.unit == "ratio":
            shown, limit = f"{value:.1%}", f"{threshold:.0%}"
        else:
            shown, limit = f"{value:.2f} {self.unit}".rstrip(), f"{threshold:.2f} {self.unit}"
        side = "above" if self.direction == "above" else "below"
        return f"{self.label} is {shown}, {side} the {level.value} threshold of {limit.rstrip()}"


def tier_fault_rules(figures: CacheFigures) -> list[tuple[AlertRule, float]]:
    """A rule per local tier that publishes ``degraded``, with its value (1.0: degraded)."""
    rules = []
    for tier in (figures.tier1, figures.tier2):
        if tier.degraded is None:
            continue
        label = tier.name.replace("tier", "Tier ")
        errors = tier.write_errors or 0
        rule = AlertRule(
            f"{tier.name}_degraded", f"{tier.name}_degraded", f"{label} storage", "above", 0.5,
            level=HealthStatus.WARNING,
            titles={HealthStatus.WARNING: f"{label} degraded: writes failing"},
            description=(f"{label} stores nothing: {errors} writes failed or skipped so far; "
                         "it serves what it holds and recovers by itself once writes work "
                         "again (see the log for the reason)"),
        )  # fmt: skip
        rules.append((rule, 1.0 if tier.degraded else 0.0))
    return rules


class AlertBook:
    """The current alert of every rule: raised, refreshed, downgraded, resolved, expired."""

    def __init__(
        self,
        lifetime_s: float = DEFAULT_ALERT_LIFETIME_S,
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        self.lifetime_s = lifetime_s
        self.clock = clock
        self.alerts: dict[str, CacheAlert] = {}

    def current(self, rule_id: str, now: datetime) -> CacheAlert | None:
        alert = self.alerts.get(rule_id)
        if alert is not None and not alert.is_active(now):
            del self.alerts[rule_id]
            return None
        return alert

    def evaluate(self, rule: AlertRule, value: float, now: datetime) -> CacheAlert | None:
        """Apply ``rule`` to ``value``; returns the rule's alert after the update, if any."""
        alert = self.current(rule.id, now)
        level = rule.level_for(value, alert.level if alert is not None else None)
        if level is None:
            self.alerts.pop(rule.id, None)
            return None
        title = rule.titles.get(level, f"{rule.label} {level.value}")
        if alert is None:
            alert = CacheAlert(
                id=rule.id,
                level=level,
                title=title,
                description=rule.describe(value, level),
                metric=rule.metric,
                current_value=value,
                threshold=rule.threshold_for(level),
                first_seen=now,
                last_seen=now,
                lifetime_s=self.lifetime_s,
                clock=self.clock,
            )
            self.alerts[rule.id] = alert
            return alert
        alert.level, alert.title = level, title
        alert.description = rule.describe(value, level)
        alert.current_value, alert.threshold = value, rule.threshold_for(level)
        alert.last_seen, alert.lifetime_s = now, self.lifetime_s
        return alert

    def evaluate_faults(self, figures: CacheFigures, now: datetime) -> None:
        """Raise, refresh or resolve the :func:`tier_fault_rules` alerts."""
        for rule, value in tier_fault_rules(figures):
            self.evaluate(rule, value, now)

    def resolve(self, rule_id: str) -> None:
        self.alerts.pop(rule_id, None)

    def active(self, now: datetime) -> list[CacheAlert]:
        """Unexpired alerts, most severe first (expired ones are dropped)."""
        for rule_id in [r for r, a in self.alerts.items() if not a.is_active(now)]:
            del self.alerts[rule_id]
        return sorted(self.alerts.values(), key=lambda a: (-a.level.severity, a.id))

    def clear(self) -> None:
        self.alerts.clear()
