"""Render counters and timing (count, failures, mean and percentiles in milliseconds)."""

from __future__ import annotations

from collections import deque

WINDOW = 1024


class RenderStats:
    """Measured render times of the last :data:`WINDOW` renders plus lifetime counters."""

    def __init__(self) -> None:
        self.count = 0
        self.failures = 0
        self.total_ms = 0.0
        self._recent_ms: deque[float] = deque(maxlen=WINDOW)

    def record(self, duration_s: float) -> None:
        duration_ms = duration_s * 1000.0
        self.count += 1
        self.total_ms += duration_ms
        self._recent_ms.append(duration_ms)

    def record_failure(self) -> None:
        self.failures += 1

    @property
    def mean_s(self) -> float | None:
        """Mean of the recent render times in seconds, None before the first render."""
        if not self._recent_ms:
            return None
        return sum(self._recent_ms) / len(self._recent_ms) / 1000.0

    def percentile_ms(self, q: float) -> float:
        if not self._recent_ms:
            return 0.0
        ordered = sorted(self._recent_ms)
        index = min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))
        return ordered[index]

    def as_dict(self) -> dict[str, float | int]:
        mean_s = self.mean_s
        return {
            "count": self.count,
            "failures": self.failures,
            "avg_ms": round(mean_s * 1000.0, 3) if mean_s is not None else 0.0,
            "p50_ms": round(self.percentile_ms(0.50), 3),
            "p95_ms": round(self.percentile_ms(0.95), 3),
            "total_ms": round(self.total_ms, 3),
        }
