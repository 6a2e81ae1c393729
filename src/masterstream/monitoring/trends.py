"""Robust trend direction of a short numeric series.

The slope is the Theil–Sen estimator (median of the pairwise slopes), which ignores up
to ~29 % outliers. The fitted change over the window, ``slope * (n - 1)``, counts as a
trend only if it is larger than both

* ``relative_threshold`` times the series' typical magnitude (median of ``|x|``), with
  ``absolute_floor`` as a lower bound so a flat zero series is stable, and
* ``noise_factor`` times the sample noise, estimated robustly from successive
  differences (1.4826 × their median absolute deviation / √2), so random wiggle is not
  read as direction while a clean step or ramp still is.

Whether a direction is good is the caller's business: :func:`assess` maps it with the
metric's preferred direction (+1: up is good, -1: up is bad, 0: neutral).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

DEFAULT_RELATIVE_THRESHOLD = 0.05
DEFAULT_NOISE_FACTOR = 3.0
DEFAULT_ABSOLUTE_FLOOR = 1e-9


def theil_sen(values: Sequence[float]) -> tuple[float, float]:
    """``(slope per step, intercept)`` of the Theil–Sen line through ``(i, values[i])``."""
    y = np.asarray(values, dtype=float)
    n = len(y)
    if n < 2:
        return 0.0, float(y[0]) if n else 0.0
    i, j = np.triu_indices(n, k=1)
    slope = float(np.median((y[j] - y[i]) / (j - i)))
    intercept = float(np.median(y - slope * np.arange(n)))
    return slope, intercept


def direction(
    values: Sequence[float],
    *,
    relative_threshold: float = DEFAULT_RELATIVE_THRESHOLD,
    noise_factor: float = DEFAULT_NOISE_FACTOR,
    absolute_floor: float = DEFAULT_ABSOLUTE_FLOOR,
) -> dict[str, Any]:
    """``{"trend": "up"|"down"|"stable"|"none", "change", "change_percent", "slope",
    "baseline"}`` for ``values`` (oldest first); ``none`` for fewer than two values."""
    n = len(values)
    if n < 2:
        return {"trend": "none", "change": 0.0, "change_percent": 0.0, "slope": 0.0,
                "baseline": float(values[0]) if n else None}  # fmt: skip
    y = np.asarray(values, dtype=float)
    slope, intercept = theil_sen(y)
    change = slope * (n - 1)
    steps = np.diff(y)
    noise = 1.4826 * float(np.median(np.abs(steps - np.median(steps)))) / np.sqrt(2.0)
    scale = float(np.median(np.abs(y)))
    needed = max(relative_threshold * scale, noise_factor * noise, absolute_floor)
    trend = "stable" if abs(change) <= needed else ("up" if change > 0 else "down")
    return {
        "trend": trend,
        "change": change,
        "change_percent": 100.0 * change / abs(intercept) if intercept else 0.0,
        "slope": slope,
        "baseline": intercept,
    }


def assess(trend: str, good_direction: int) -> str:
    """``improving`` / ``degrading`` / ``stable`` for a trend given the good direction."""
    if trend not in ("up", "down") or good_direction == 0:
        return "stable"
    going_up_is_good = good_direction > 0
    return "improving" if (trend == "up") == going_up_is_good else "degrading"
