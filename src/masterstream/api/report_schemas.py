"""Response models of the reporting routes: formats, presets, trends, endpoint metrics,
history.

Each keeps fields it does not name (``extra="allow"``), so a figure added later is served
before it is documented; the OpenAPI document lists the named ones.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from ..monitoring import CacheMetrics


class _View(BaseModel):
    model_config = ConfigDict(extra="allow")


class FormatInfo(_View):
    name: str
    media_type: str
    lossy: bool
    bitrates_kbps: list[int]
    default_bitrate_kbps: int | None
    stream: bool = Field(description="A whole-track /stream is offered in this format.")
    range_seekable: Literal["always", "when_cached", "never"]
    seekable_by_range: bool
    standalone_chunks: bool


class FormatList(_View):
    formats: list[FormatInfo]


class MetricTrend(_View):
    """``GET /api/cache/trends``: direction of one monitored metric (Theil–Sen)."""

    metric: str
    value: float | None
    previous: float | None
    change: float
    change_percent: float
    trend: Literal["up", "down", "stable", "none"]
    assessment: Literal["improving", "degrading", "stable"]
    window: int = Field(ge=0, description="Snapshots compared.")


class SourceLatency(_View):
    requests: int = Field(ge=0)
    p50_ms: float
    p95_ms: float
    p99_ms: float


class RequestCounts(_View):
    total_requests: int = Field(ge=0)
    cache_hits: int = Field(ge=0)
    cache_misses: int = Field(ge=0)
    errors: int = Field(ge=0)
    tier1_hits: int = Field(ge=0)
    tier2_hits: int = Field(ge=0)
    shared_hits: int = Field(ge=0)
    avg_time_ms: float


class WindowSummary(RequestCounts):
    """The last requests (the retained window), with all-time counters beside."""

    hit_rate: float = Field(ge=0.0, le=1.0)
    p50_ms: float
    p95_ms: float
    p99_ms: float
    by_source: dict[str, SourceLatency]
    all_time: RequestCounts


class TierShares(_View):
    tier1_percent: float
    tier2_percent: float
    shared_percent: float
    miss_percent: float
    error_percent: float
    hit_rate: float = Field(ge=0.0, le=1.0)


class LatencyTrend(_View):
    trend: Literal["improving", "degrading", "stable"]
    window: int = Field(ge=0)
    recent_avg_ms: float
    previous_avg_ms: float
    change_percent: float
    compared_requests: int = Field(ge=0)


class EndpointMetricsView(_View):
    """``GET /api/metrics/endpoints``."""

    summary: WindowSummary
    tier_stats: TierShares
    trends: LatencyTrend


class CacheHistory(_View):
    """``GET /api/cache/history``: oldest first."""

    interval_s: float = Field(description="Seconds between snapshots.")
    points: list[CacheMetrics] = Field(description="The monitor's snapshots.")


class PresetInfo(_View):
    """A mastering preset; a passthrough preset (``original``) has no processing stages."""

    name: str
    description: str
    target_lufs: float | None
    true_peak_dbtp: float | None
    adaptive: bool = Field(description="Shaped by each track's fingerprint.")
    passthrough: bool
    eq: list[dict[str, Any]] | None = None
    compressor: dict[str, Any] | None = None
    transients: dict[str, Any] | None = None
    limiter: dict[str, Any] | None = None
